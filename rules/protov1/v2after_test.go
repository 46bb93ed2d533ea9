package protov1_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/ruletest"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestV13WellKnownTypesNeedNoAdapter migrates code written against
// golang/protobuf v1.3, whose well-known types are v1-only, and checks
// that no value of those types is wrapped in protoadapt.MessageV2Of: after
// the run they are APIv2's types (the file requires golang/protobuf
// v1.4.0, whose packages alias them). The result must build once that
// requirement is met (the golden cases' go.mod).
func TestV13WellKnownTypesNeedNoAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a module with golang/protobuf v1.3.5")
	}
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Join(filepath.Dir(self), "testdata", "v13wkt")
	dir := ruletest.TempModule(t, map[string]string{"wkt/wkt.go": filepath.Join(here, "wkt.go.txt")})
	gomod := "module example.com/cases\n\ngo 1.26.0\n\nrequire github.com/golang/protobuf v1.3.5\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd(t, dir, "mod", "tidy")

	rs, err := registry.Select("protov1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Rules: rs})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "wkt", "wkt.go")
	f := res.Lookup(path)
	if f == nil {
		t.Fatal("wkt.go was not rewritten")
	}
	for _, d := range res.Diags {
		t.Errorf("unexpected diagnostic: %s:%d: %s: %s", d.Path, d.Start.Line, d.Rule, d.Message)
	}
	golden := filepath.Join(here, "wkt.go.golden")
	want, _ := os.ReadFile(golden)
	if !bytes.Equal(f.New, want) {
		if os.Getenv("PROTOLIFT_UPDATE_GOLDEN") != "" {
			_ = os.WriteFile(golden, f.New, 0o644)
		} else {
			t.Errorf("result differs from %s:\n%s", golden, f.New)
		}
	}
	if got := res.Requires["github.com/golang/protobuf"]; got != "v1.4.0" {
		t.Errorf("requires golang/protobuf %q, want v1.4.0 (its well-known types alias APIv2's from there)", got)
	}
	// With the requirements met (the golden cases' go.mod: golang/protobuf
	// v1.5.4), the result builds.
	mod := ruletest.TempModule(t, map[string]string{})
	if err := os.MkdirAll(filepath.Join(mod, "wkt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "wkt", "wkt.go"), f.New, 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd(t, mod, "vet", "./wkt")
}

func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
}
