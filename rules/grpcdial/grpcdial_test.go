package grpcdial_test

import (
	"testing"

	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/rules/grpcdial"
	"github.com/protolift/protolift/ruletest"
)

// TestGolden runs the dial rules over testdata/<case>, checking results,
// diagnostics, idempotence and that the output type-checks.
func TestGolden(t *testing.T) {
	ruletest.Check(t, "testdata", []*rule.Rule{grpcdial.Dial, grpcdial.WithDialer}...)
}
