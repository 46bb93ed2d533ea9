package regen

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/toolbin"
)

// TestSameAsBufGenerate checks that regenerating in process gives the
// bytes `buf generate` writes with the same pinned generators.
func TestSameAsBufGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds buf and the generators and runs buf generate")
	}
	ctx := context.Background()
	bufBin, err := toolbin.Buf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	goBin, err := toolbin.Build(ctx, toolbin.GoPkg, toolbin.GoVersion)
	if err != nil {
		t.Fatal(err)
	}
	grpcBin := grpcPlugin(t)

	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	res, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcBin})
	if err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	tmpl := "version: v2\nplugins:\n" +
		"  - local: " + goBin + "\n    out: " + out + "\n    opt: paths=source_relative\n" +
		"  - local: " + grpcBin + "\n    out: " + out + "\n    opt: paths=source_relative\n"
	cmd := exec.CommandContext(ctx, bufBin, "generate", "--template", tmpl, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buf generate: %v\n%s", err, b)
	}
	compared := 0
	for _, f := range res.Files {
		if !strings.HasSuffix(f.Path, ".go") {
			continue // gen.sh, brought in line with the new generators
		}
		rel, _ := filepath.Rel(dir, f.Path)
		want, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Errorf("buf generate wrote no %s: %v", rel, err)
			continue
		}
		if !bytes.Equal(f.New, want) {
			t.Errorf("%s differs from buf generate's output", rel)
			continue
		}
		compared++
	}
	if compared != 4 {
		t.Errorf("compared %d files with buf's output, want 4", compared)
	}
}
