package grpcdial_test

import (
	"testing"

	"github.com/protolift/protolift/rewrite/rule"
	"github.com/protolift/protolift/rewrite/rules/grpcdial"
	"github.com/protolift/protolift/rewrite/ruletest"
)

// TestGolden runs the dial rules over testdata/<case>, checking results,
// diagnostics, idempotence and that the output type-checks.
func TestGolden(t *testing.T) {
	ruletest.Check(t, "testdata", []*rule.Rule{grpcdial.Dial, grpcdial.WithDialer}...)
}
