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

// TestV1TextFiles runs the protov1 rules over a module whose own files
// hold v1 text format (testdata/v1_text_files/cli/want.text): text
// output that can reach a file or stdout is refused. The case runs in a
// module of its own, as the evidence counts module-wide.
func TestV1TextFiles(t *testing.T) {
	rs, err := registry.Select("protov1")
	if err != nil {
		t.Fatal(err)
	}
	ruletest.Check(t, "testdata/v1_text_files", rs...)
}
