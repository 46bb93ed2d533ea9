package protov1_test

import (
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/ruletest"
)

// TestGolden runs every protov1 rule over testdata/<case> and checks the
// results, the diagnostics, idempotence and that the output type-checks.
func TestGolden(t *testing.T) {
	rs, err := registry.Select("protov1")
	if err != nil {
		t.Fatal(err)
	}
	ruletest.Check(t, "testdata", rs...)
}

// TestKeepOutputFormat runs the protov1 rules with -keep-output-format:
// every rewrite that changes produced text is refused.
func TestKeepOutputFormat(t *testing.T) {
	rs, err := registry.Select("protov1")
	if err != nil {
		t.Fatal(err)
	}
	ruletest.CheckWith(t, "testdata/keep_output_format", map[string]string{"keep-output-format": "true"}, rs...)
}
