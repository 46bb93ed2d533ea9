package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/ruletest"
)

// TestOldHeaderGeneratedFileKept: a full run over a module whose pre-2017
// generated file has no .proto in the module leaves the file as it is
// (the Go stage used to rewrite it as hand-written code) and reports it
// from both stages; the hand-written file that uses it is migrated.
func TestOldHeaderGeneratedFileKept(t *testing.T) {
	pb := ruletest.OldHeaderPB(t)
	dir := newModule(t, map[string]string{
		"testproto/test.pb.go": pb,
		"app/app.go":           "package app\n\nimport (\n\t\"github.com/golang/protobuf/proto\"\n\n\t\"example.com/cases/testproto\"\n)\n\n// Size is the encoded size of m.\nfunc Size(m *testproto.PingRequest) int { return proto.Size(m) }\n",
	})
	code, _, errOut := protolift(t, "-C", dir, "-w", "./...")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "testproto", "test.pb.go")); string(b) != pb {
		t.Errorf("the generated file was edited:\n%s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "app", "app.go")); !strings.Contains(string(b), `"google.golang.org/protobuf/proto"`) {
		t.Errorf("app.go not migrated:\n%s", b)
	}
	for _, want := range []string{
		"testproto/test.pb.go:2:1: gen.source_missing: cannot regenerate: source test.proto is not in the module",
		"testproto/test.pb.go:1:1: protolift.generated: generated file imports github.com/golang/protobuf/proto; it is not edited",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
