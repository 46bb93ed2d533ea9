package protoplugin

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
	"google.golang.org/protobuf/proto"
)

// TestMigratePreview: migrate=go runs the CLI's pipeline on module_dir
// and reports the files it would change (the ones `protolift go -l`
// lists) and its findings, writing nothing.
func TestMigratePreview(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and type-checks a module with go/packages; runs without -short")
	}
	dir := t.TempDir()
	copyInto(t, filepath.Join("..", "testdata", "legacyapp"), dir)
	before, err := os.ReadFile(filepath.Join(dir, "client", "client.go"))
	must(t, err)

	root, _ := filepath.Abs(filepath.Join("..", "testdata", "protos"))
	req := compile(t, root, nil, "inventory/v1/inventory.proto").CodeGeneratorRequest
	req.Parameter = proto.String("old=/nonexistent/protoc-gen-old,report=json,migrate=go,module_dir=" + dir)
	resp := Generate(context.Background(), req)
	if resp.Error != nil {
		t.Fatal(resp.GetError())
	}
	var rep Report
	must(t, json.Unmarshal([]byte(resp.File[0].GetContent()), &rep))
	if rep.MigrationError != "" || rep.Migration == nil {
		t.Fatalf("no preview: %s", rep.MigrationError)
	}
	var got []string
	for _, f := range rep.Migration.Files {
		got = append(got, f.Path)
	}

	cli := exec.Command("go", "run", "../cmd/protolift", "go", "-C", dir, "-l", "./...")
	out, _ := cli.Output() // exit 1: findings remain
	want := strings.Fields(string(out))
	if !slices.Equal(got, want) {
		t.Errorf("preview files %v\nprotolift go -l lists %v", got, want)
	}
	i := slices.IndexFunc(rep.Migration.Files, func(f MigrationFile) bool { return f.Path == "internal/codec/json.go" })
	if i < 0 || !slices.Contains(rep.Migration.Files[i].Rules, "protov1.jsonpb") {
		t.Errorf("internal/codec/json.go not listed with protov1.jsonpb: %+v", rep.Migration.Files)
	}
	if !slices.ContainsFunc(rep.Migration.Findings, func(f change.Diagnostic) bool {
		return f.Path == "internal/codec/any.go" && f.Rule == "protov1.ptypes.any"
	}) {
		t.Errorf("the refusal at internal/codec/any.go is not among the findings")
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "client", "client.go")); string(now) != string(before) {
		t.Error("the preview wrote to the module")
	}

	req.Parameter = proto.String("old=/nonexistent/protoc-gen-old,report=md,migrate=go,module_dir=" + dir)
	md := Generate(context.Background(), req).File[0].GetContent()
	for _, want := range []string{"## Migration preview (`protolift go -d ./...` in module_dir; nothing written)", "| `internal/codec/json.go` |", "Left for a person:"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}
