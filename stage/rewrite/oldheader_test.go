package rewrite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/ruletest"
	"github.com/protolift/protolift/stage/rewrite"
)

// The Go stage never edits old-header generated code: it rewrote
// go-grpc-prometheus's test.pb.go as if hand-written (String() through
// prototext, new imports). The file is reported for regeneration instead,
// and the hand-written file next to it is still migrated.
func TestOldHeaderGeneratedFileNotEdited(t *testing.T) {
	dir := tempModule(t, map[string]string{
		"testproto/test.pb.go": ruletest.OldHeaderPB(t),
		"use.go":               "package cases\n\nimport (\n\t\"github.com/golang/protobuf/proto\"\n\n\t\"example.com/cases/testproto\"\n)\n\n// Size is the encoded size of m.\nfunc Size(m *testproto.PingRequest) int { return proto.Size(m) }\n",
	})
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Rules: registry.All()})
	if err != nil {
		t.Fatal(err)
	}
	rewritten := false
	for _, f := range res.Files {
		switch filepath.Base(f.Path) {
		case "test.pb.go":
			t.Errorf("the generated file was edited:\n%s", f.New)
		case "use.go":
			rewritten = strings.Contains(string(f.New), `"google.golang.org/protobuf/proto"`)
		}
	}
	if !rewritten {
		t.Error("use.go was not migrated")
	}
	reported := false
	for _, d := range res.Diags {
		if filepath.Base(d.Path) == "test.pb.go" {
			reported = reported || d.Rule == rewrite.GeneratedRule && strings.Contains(d.Message, "regenerate")
		}
	}
	if !reported {
		t.Errorf("test.pb.go not reported as generated code to regenerate: %+v", res.Diags)
	}
}
