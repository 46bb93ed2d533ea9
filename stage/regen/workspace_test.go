package regen

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
)

const protosModule = "github.com/protolift/protolift/testdata/protos"

// legacyWKT maps the well-known types to golang/protobuf's packages, as
// protoc before 3.14 did.
const legacyWKT = "Mgoogle/protobuf/any.proto=github.com/golang/protobuf/ptypes/any," +
	"Mgoogle/protobuf/duration.proto=github.com/golang/protobuf/ptypes/duration," +
	"Mgoogle/protobuf/empty.proto=github.com/golang/protobuf/ptypes/empty," +
	"Mgoogle/protobuf/struct.proto=github.com/golang/protobuf/ptypes/struct," +
	"Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp," +
	"Mgoogle/protobuf/wrappers.proto=github.com/golang/protobuf/ptypes/wrappers," +
	"Mgoogle/protobuf/field_mask.proto=google.golang.org/genproto/protobuf/field_mask"

// legacyWorkspace builds a module whose .proto files sit under a buf
// workspace directory (proto/) and whose code golang/protobuf v1.3.5
// generated with plugins=grpc into gen/, laid out by import path: the
// generated files are not next to their sources.
func legacyWorkspace(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	copyInto(t, filepath.Join("..", "..", "testdata", "protos"), filepath.Join(dir, "proto"))
	must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+protosModule+"\n\ngo 1.23\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "buf.work.yaml"), []byte("version: v1\ndirectories:\n  - proto # the only root\n"), 0o644))
	// golang/protobuf's generator takes one Go package per run.
	for _, pkg := range [][]string{
		{"shop/v1/catalog.proto", "shop/v1/catalog_service.proto"},
		{"inventory/v1/inventory.proto"},
	} {
		req, err := generate.Compile(ctx, generate.CompileOptions{ImportPaths: []string{filepath.Join(dir, "proto")}, Files: pkg})
		must(t, err)
		files, err := generate.Run(ctx, generate.Spec{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV135, Params: "plugins=grpc," + legacyWKT}, req)
		must(t, err)
		for _, f := range files {
			rel, ok := strings.CutPrefix(f.Name, protosModule+"/")
			if !ok {
				t.Fatalf("legacy generator wrote %s outside the module", f.Name)
			}
			p := filepath.Join(dir, filepath.FromSlash(rel))
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.WriteFile(p, f.Content, 0o644))
		}
	}
	return dir
}

func TestBufWorkspaceLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := legacyWorkspace(t)
	ctx := context.Background()
	res, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	for _, d := range res.Diags {
		t.Errorf("unexpected diagnostic: %s", d.Format(d.Path))
	}
	var got []string
	for _, f := range res.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		name := filepath.ToSlash(rel)
		if f.Created {
			name += " (new)"
		}
		got = append(got, name)
	}
	sort.Strings(got)
	want := []string{
		"gen/inventory/v1/inventory.pb.go",
		"gen/inventory/v1/inventory_grpc.pb.go (new)",
		"gen/shop/v1/catalog.pb.go",
		"gen/shop/v1/catalog_service.pb.go",
		"gen/shop/v1/catalog_service_grpc.pb.go (new)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changed files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range res.Files {
		if strings.Contains(string(f.New), "github.com/golang/protobuf") || strings.Contains(string(f.New), "genproto") {
			t.Errorf("%s still imports a legacy package", f.Path)
		}
	}
	write(t, &res.Set)
	again, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	if len(again.Files) != 0 || len(again.Diags) != 0 {
		t.Errorf("second run: %d files, %d diagnostics", len(again.Files), len(again.Diags))
	}
	if a, b := strings.Join(again.Regenerated, " "), strings.Join(res.Regenerated, " "); a != b || len(res.Regenerated) != 2 {
		t.Errorf("second run checked %s, first regenerated %s", a, b)
	}
	vetGenerated(t, dir, protosModule, "gen")
}

// TestNoGoPackage regenerates a file whose .proto has no go_package (old
// generators did not need one): the output keeps the directory's import
// path and the old package name.
func TestNoGoPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := legacyWorkspace(t)
	p := filepath.Join(dir, "proto", "inventory", "v1", "inventory.proto")
	src, err := os.ReadFile(p)
	must(t, err)
	lines := strings.Split(string(src), "\n")
	var kept []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "option go_package") {
			kept = append(kept, l)
		}
	}
	overlay := map[string][]byte{p: []byte(strings.Join(kept, "\n"))}
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t), Overlay: overlay})
	must(t, err)
	for _, d := range res.Diags {
		t.Errorf("unexpected diagnostic: %s", d.Format(d.Path))
	}
	n := 0
	for _, f := range res.Files {
		if strings.Contains(f.Path, "inventory") {
			n++
			if !strings.Contains(string(f.New), "\npackage inventoryv1\n") {
				t.Errorf("%s: package name not kept", f.Path)
			}
		}
	}
	if n != 2 {
		t.Errorf("regenerated %d inventory files, want 2", n)
	}
}

func copyInto(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestInferredRoot: with no buf configuration, the import root is found
// from the .proto files whose paths end with the "// source:" path.
func TestInferredRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := legacyWorkspace(t)
	must(t, os.Remove(filepath.Join(dir, "buf.work.yaml")))
	must(t, os.Remove(filepath.Join(dir, "proto", "buf.yaml")))
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	for _, d := range res.Diags {
		t.Errorf("unexpected diagnostic: %s", d.Format(d.Path))
	}
	if len(res.Files) != 5 {
		t.Errorf("%d files changed, want 5", len(res.Files))
	}
}
