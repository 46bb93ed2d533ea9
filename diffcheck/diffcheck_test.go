package diffcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	legacy135 = generate.Spec{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV135, Params: "plugins=grpc"}
	legacy143 = generate.Spec{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV143, Params: "plugins=grpc"}
	legacy154 = generate.Spec{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV154, Params: "plugins=grpc"}
	goGRPC100 = generate.Spec{Pkg: toolbin.GoGRPCPkg, Version: toolbin.GoGRPCV100}
)

var protos = []string{"shop/v1/types.proto", "shop/v1/service.proto"}

// userModule copies testdata/usermod into a temporary directory and
// writes the output of gens into it, as a repository that committed
// that generated code would have it.
func userModule(t *testing.T, gens []generate.Spec) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "usermod")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req, err := generate.Compile(ctx, generate.CompileOptions{ImportPaths: []string{"testdata/protos"}, Files: protos})
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate.RunAll(ctx, gens, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, ok := strings.CutPrefix(f.Name, "example.com/shop/")
		if !ok {
			t.Fatalf("unexpected output %s", f.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the legacy generators and type-checks generated code")
	}
	current := generate.Current()
	cases := []struct {
		name     string
		old, new []generate.Spec
	}{
		{"v1.3.5-plugins-grpc_to_current", []generate.Spec{legacy135}, current},
		{"v1.4.3-plugins-grpc_to_current", []generate.Spec{legacy143}, current},
		{"v1.5.4-plugins-grpc_to_current", []generate.Spec{legacy154}, current},
		{"go-grpc-v1.0.0_to_v1.6.2", []generate.Spec{current[0], goGRPC100}, current},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own module and generators
			start := time.Now()
			defer func() {
				t.Logf("%s: generated, compared and cross-referenced in %v", tc.name, time.Since(start).Round(time.Millisecond))
			}()
			mod := userModule(t, tc.old)
			rep, err := Run(context.Background(), Options{
				ModuleDir:   mod,
				Paths:       protos,
				ImportPaths: []string{"testdata/protos"},
				Old:         tc.old,
				New:         tc.new,
			})
			if err != nil {
				t.Fatal(err)
			}
			var text, md, js bytes.Buffer
			if err := rep.Text(&text); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", text.Bytes())
			if err := rep.Markdown(&md); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".md", md.Bytes())
			if err := rep.JSON(&js); err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatalf("JSON output does not parse: %v", err)
			}
			golden(t, tc.name+".json", js.Bytes())
		})
	}
}

// TestGoldenSharedProtos runs the legacy-to-current comparison on the
// repository's shared .proto set (every well-known type, proto2 groups,
// defaults and extensions).
func TestGoldenSharedProtos(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the legacy generators and type-checks generated code")
	}
	root := filepath.Join("..", "testdata", "protos")
	rep, err := Run(context.Background(), Options{
		Paths:       []string{"shop/v1/catalog.proto", "shop/v1/catalog_service.proto", "inventory/v1/inventory.proto"},
		ImportPaths: []string{root},
		Old:         []generate.Spec{legacy135},
		New:         generate.Current(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.Text(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, "shared-protos_v1.3.5_to_current.txt", text.Bytes())
}
