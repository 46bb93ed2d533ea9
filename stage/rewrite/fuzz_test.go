package rewrite_test

import (
	"bytes"
	"context"
	"flag"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/stage/rewrite"
)

// legacyImport reports whether f imports an API some rule rewrites.
func legacyImport(src []byte) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ImportsOnly)
	if err != nil {
		return false
	}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if strings.HasPrefix(p, "github.com/golang/protobuf/") || strings.HasPrefix(p, "google.golang.org/grpc") ||
			strings.HasPrefix(p, "google.golang.org/genproto/protobuf/") || p == "golang.org/x/net/context" {
			return true
		}
	}
	return false
}

// FuzzEngine runs every rule on one mutated Go file in a module that
// requires the real libraries (the golden cases' module). Inputs that do
// not parse, import no legacy API or do not type-check are skipped; for the
// rest the stage never panics, its output parses and is gofmt-stable, and
// a second run over the output changes nothing. Seeds are the rule goldens'
// inputs; each is a whole package only when its case has one file, so the
// others mostly exercise the skip path until mutated into shape.
func FuzzEngine(f *testing.F) {
	if testing.Short() {
		f.Skip("short: each input loads packages with the go command")
	}
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Dir(self)
	// Seeds: the input of every golden case that is one file (a whole
	// package on its own). Outside fuzzing mode the seeds run as a plain
	// test; the goldens already check these inputs, so only one runs.
	cases, _ := filepath.Glob(filepath.Join(here, "..", "..", "rules", "*", "testdata", "*"))
	var seeds []string
	for _, c := range cases {
		if m, _ := filepath.Glob(filepath.Join(c, "*.go")); len(m) == 1 {
			seeds = append(seeds, m[0])
		}
	}
	if len(seeds) == 0 {
		f.Fatal("no single-file cases under rules/*/testdata")
	}
	// PROTOLIFT_FUZZ_ENGINE_SEEDS=n keeps n seeds when fuzzing (CI's
	// bounded run, where every seed would cost a load before fuzzing).
	if fl := flag.Lookup("test.fuzz"); fl == nil || fl.Value.String() == "" {
		seeds = seeds[:1]
	} else if n, err := strconv.Atoi(os.Getenv("PROTOLIFT_FUZZ_ENGINE_SEEDS")); err == nil && n > 0 {
		seeds = seeds[:min(len(seeds), n)]
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	mod := f.TempDir()
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(here, "..", "..", "ruletest", "testdata", "mod", name))
		if err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), b, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	pkgDir := filepath.Join(mod, "p")
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		f.Fatal(err)
	}
	file := filepath.Join(pkgDir, "p.go")
	all := registry.All()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.SkipObjectResolution); err != nil {
			t.Skip("does not parse")
		}
		if !legacyImport(src) || bytes.Contains(src, []byte("//go:build")) || bytes.Contains(src, []byte("// +build")) {
			t.Skip("imports no legacy API, or has build constraints")
		}
		if fm, err := format.Source(src); err != nil || !bytes.Equal(fm, src) {
			// Lines no rule changes are kept as they are, so only a
			// gofmt'ed input gives a gofmt'ed output.
			t.Skip("input is not gofmt'ed")
		}
		// Helper files a previous input made must not leak into this one.
		helpers, _ := filepath.Glob(filepath.Join(pkgDir, "protolift_helpers*.go"))
		for _, h := range helpers {
			os.Remove(h)
		}
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := rewrite.Run(ctx, rewrite.Options{Dir: mod, Rules: all})
		if err != nil {
			t.Skipf("not migratable as is: %v", err)
		}
		var out []byte
		for _, fl := range res.Files {
			switch {
			case fl.Path == file:
				out = fl.New
			case fl.Created && strings.HasPrefix(filepath.Base(fl.Path), "protolift_helpers"):
				// A package's helper file: it must be valid Go too, and
				// is there for the second run.
				if fm, err := format.Source(fl.New); err != nil || !bytes.Equal(fm, fl.New) {
					t.Fatalf("helper file does not parse or is not gofmt-stable (err %v)\n%s", err, fl.New)
				}
				if err := os.WriteFile(fl.Path, fl.New, 0o644); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("changed a file it was not given: %s", fl.Path)
			}
		}
		if out == nil {
			return
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "p.go", out, parser.ParseComments); err != nil {
			t.Fatalf("output does not parse: %v\n--- output ---\n%s", err, out)
		}
		if fm, err := format.Source(out); err != nil || !bytes.Equal(fm, out) {
			t.Fatalf("output is not gofmt-stable (err %v)\n--- output ---\n%s", err, out)
		}
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		again, err := rewrite.Run(ctx, rewrite.Options{Dir: mod, Rules: all})
		if err != nil {
			t.Fatalf("second run over the output failed: %v\n--- output ---\n%s", err, out)
		}
		for _, fl := range again.Files {
			t.Fatalf("second run changed the output:\n--- first ---\n%s\n--- second ---\n%s", out, fl.New)
		}
	})
}
