package grpc_test

import (
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/ruletest"
)

// TestGolden runs every grpc rule over testdata/<case> and checks the
// results, the diagnostics, idempotence and that the output type-checks.
func TestGolden(t *testing.T) {
	rs, err := registry.Select("grpc")
	if err != nil {
		t.Fatal(err)
	}
	ruletest.Check(t, "testdata", rs...)
}
