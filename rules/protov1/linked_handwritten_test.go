package protov1_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/ruletest"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestLinkedHandWrittenThroughUnloadedMain reduces evans v0.9.0: its
// format/json package printed the v1 messages it was given with jsonpb,
// and nothing format/json imports declares a hand-written message, but
// the evans command links it with jhump/protoreflect's dynamic.Message,
// the very messages it prints, through packages that import nothing
// protolift migrates and so are not loaded. The jsonpb rewrite went
// ahead with a warning saying no program of the module links such a
// type, and protojson would have printed every response as {}. The rule
// must see the command's imports and refuse.
func TestLinkedHandWrittenThroughUnloadedMain(t *testing.T) {
	checkLinkedHandWritten(t, map[string]string{
		"lib/lib.go":       "lib.go.txt",
		"dyn/dyn.go":       "dyn.go.txt",
		"cmd/tool/main.go": "main.go.txt",
	})
}

// TestLinkedHandWrittenThroughTestImport: only lib's own test links it
// with dyn. The import graph holds lib twice (with and without its test
// files); the walk must follow the imports of both.
func TestLinkedHandWrittenThroughTestImport(t *testing.T) {
	checkLinkedHandWritten(t, map[string]string{
		"lib/lib.go":      "lib.go.txt",
		"lib/lib_test.go": "lib_test.go.txt",
		"dyn/dyn.go":      "dyn.go.txt",
	})
}

// checkLinkedHandWritten migrates a module made of the given files of
// testdata/linked_handwritten and checks that lib's jsonpb call on a v1
// interface value is refused, naming dyn.Message.
func checkLinkedHandWritten(t *testing.T, files map[string]string) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Join(filepath.Dir(self), "testdata", "linked_handwritten")
	for to, from := range files {
		files[to] = filepath.Join(here, from)
	}
	dir := ruletest.TempModule(t, files)
	rs, err := registry.Select("protov1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Rules: rs})
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "lib", "lib.go")
	refused := false
	for _, d := range res.Diags {
		if d.Path != lib || d.Rule != "protov1.jsonpb" {
			continue
		}
		t.Log(d.Message)
		if strings.Contains(d.Message, "not rewritten") && strings.Contains(d.Message, "example.com/cases/dyn.Message is one this module's programs link") {
			refused = true
		}
		if strings.Contains(d.Message, "no package this module's programs link") {
			t.Errorf("the warning claims no linked hand-written message: %s", d.Message)
		}
	}
	if !refused {
		t.Errorf("jsonpb on lib.JSON's proto.Message was not refused naming dyn.Message")
	}
	if f := res.Lookup(lib); f != nil && strings.Contains(string(f.New), "protojson") {
		t.Errorf("lib.go was rewritten to protojson:\n%s", f.New)
	}
}
