package regen

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/protows"
	"github.com/protolift/protolift/internal/toolbin"
)

// layoutModule copies testdata/<name> into a module with path modPath
// and generates each group of files with golang/protobuf v1.3.5
// (plugins=grpc) under its root, as the repository's own protoc command
// did: output named by import path lands in the module by that path,
// output named by source path next to the source under the root.
func layoutModule(t *testing.T, name, modPath string, gens ...legacyRun) string {
	t.Helper()
	dir := copyTree(t, filepath.Join("testdata", name))
	must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+modPath+"\n\ngo 1.23\n"), 0o644))
	ctx := context.Background()
	for _, g := range gens {
		var roots []protows.Root
		for _, r := range g.roots {
			r.Dir = filepath.Join(dir, r.Dir)
			roots = append(roots, r)
		}
		req, err := generate.Compile(ctx, generate.CompileOptions{Roots: roots, Files: g.files})
		must(t, err)
		files, err := generate.Run(ctx, generate.Spec{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV135, Params: "plugins=grpc"}, req)
		must(t, err)
		for _, f := range files {
			p := filepath.Join(roots[0].Dir, filepath.FromSlash(f.Name))
			if rel, ok := strings.CutPrefix(f.Name, modPath+"/"); ok {
				p = filepath.Join(dir, filepath.FromSlash(rel))
			}
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.WriteFile(p, f.Content, 0o644))
		}
	}
	return dir
}

type legacyRun struct {
	roots []protows.Root // relative to the module
	files []string
}

func changed(dir string, set *change.Set) map[string]*change.File {
	out := map[string]*change.File{}
	for _, f := range set.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		out[filepath.ToSlash(rel)] = f
	}
	return out
}

func logDiags(t *testing.T, set *change.Set) {
	t.Helper()
	for _, d := range set.Diags {
		t.Logf("diagnostic: %s", d.Format(d.Path))
	}
}

// TestSameNamedProtos: two kv.proto files in different directories, both
// "package proto;" and generated with "// source: kv.proto", are each
// regenerated from their own file (issue 10, item 1: a/proto/kv.pb.go was
// regenerated from b/proto/kv.proto).
func TestSameNamedProtos(t *testing.T) {
	dir := layoutModule(t, "samename", "example.com/samename",
		legacyRun{roots: protows.Plain("examples/a/proto"), files: []string{"kv.proto"}},
		legacyRun{roots: protows.Plain("examples/b/proto"), files: []string{"kv.proto"}},
	)
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	logDiags(t, &res.Set)
	if len(res.Diags) != 0 {
		t.Errorf("%d diagnostics, want none", len(res.Diags))
	}
	got := changed(dir, &res.Set)
	a, b := got["examples/a/proto/kv.pb.go"], got["examples/b/proto/kv.pb.go"]
	if a == nil || b == nil {
		t.Fatalf("changed files %v, want both kv.pb.go files", keys(got))
	}
	for _, w := range []string{`Key\s+string`, `Value\s+\[\]byte`} {
		if !regexp.MustCompile(w).Match(a.New) {
			t.Errorf("a/proto/kv.pb.go lacks %q: regenerated from the other kv.proto", w)
		}
	}
	for _, w := range []string{`Id\s+int64`, `Name\s+string`} {
		if !regexp.MustCompile(w).Match(b.New) {
			t.Errorf("b/proto/kv.pb.go lacks %q: regenerated from the other kv.proto", w)
		}
	}
	if got["examples/a/proto/kv_grpc.pb.go"] == nil {
		t.Error("a's KV service was not generated into kv_grpc.pb.go")
	}
	if got["examples/b/proto/kv_grpc.pb.go"] != nil {
		t.Error("b has no service but got a kv_grpc.pb.go")
	}
	write(t, &res.Set)
	again, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	if len(again.Files) != 0 {
		t.Errorf("second run changed %v", keys(changed(dir, &again.Set)))
	}
}

// TestAmbiguousSource: a generated file whose source path two .proto
// files of the module end with, and that is next to neither, is
// reported, not regenerated from a guess.
func TestAmbiguousSource(t *testing.T) {
	dir := layoutModule(t, "samename", "example.com/samename",
		legacyRun{roots: protows.Plain("examples/a/proto"), files: []string{"kv.proto"}},
	)
	must(t, os.MkdirAll(filepath.Join(dir, "pb"), 0o755))
	must(t, os.Rename(filepath.Join(dir, "examples/a/proto/kv.pb.go"), filepath.Join(dir, "pb", "kv.pb.go")))
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	if len(res.Files) != 0 {
		t.Errorf("regenerated %v from a guessed source", keys(changed(dir, &res.Set)))
	}
	if len(res.Diags) != 1 || res.Diags[0].Rule != SourceRule || !strings.Contains(res.Diags[0].Message, "examples/a/proto/kv.proto and examples/b/proto/kv.proto") {
		logDiags(t, &res.Set)
		t.Errorf("want one %s diagnostic naming both candidates", SourceRule)
	}
}

// TestGOPATHImport: sources generated with -I $GOPATH/src are named by
// full import path ("// source: github.com/org/repo/internal/y/y.proto")
// and import each other that way; inside module github.com/org/repo they
// resolve to the module's own files (issue 10, item 6).
func TestGOPATHImport(t *testing.T) {
	const modPath = "github.com/org/repo"
	gopath := []protows.Root{{Dir: ".", Prefix: modPath}}
	dir := layoutModule(t, "gopath", modPath,
		legacyRun{roots: gopath, files: []string{modPath + "/internal/x/x.proto"}},
		legacyRun{roots: gopath, files: []string{modPath + "/internal/y/y.proto"}},
	)
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	logDiags(t, &res.Set)
	if len(res.Diags) != 0 {
		t.Errorf("%d diagnostics, want none", len(res.Diags))
	}
	got := changed(dir, &res.Set)
	y := got["internal/y/y.pb.go"]
	if y == nil || got["internal/x/x.pb.go"] == nil {
		t.Fatalf("changed files %v, want x.pb.go and y.pb.go", keys(got))
	}
	for _, w := range []string{"// source: " + modPath + "/internal/y/y.proto", `x "github.com/org/repo/internal/x"`} {
		if !strings.Contains(string(y.New), w) {
			t.Errorf("y.pb.go lacks %q", w)
		}
	}
	write(t, &res.Set)
	vetGenerated(t, dir, modPath, "internal")
}

// TestMakefileIncludes: the -I flags of the Makefile's protoc command are
// import roots; a dependency only they provide (no generated code of its
// own in the module) no longer stops regeneration (issue 10, item 10a).
func TestMakefileIncludes(t *testing.T) {
	dir := layoutModule(t, "makefile", "example.com/makefile",
		legacyRun{roots: protows.Plain("api", "third_party/googleapis"), files: []string{"svc/v1/svc.proto"}},
	)
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	got := changed(dir, &res.Set)
	for _, d := range res.Diags {
		if d.Rule != ScriptRule {
			t.Errorf("unexpected diagnostic: %s", d.Format(d.Path))
		}
		if strings.Contains(d.Suggestion, "-I") && !strings.Contains(d.Suggestion, "protoc command") {
			t.Errorf("suggests -I, which protolift gen has no flag for: %s", d.Suggestion)
		}
	}
	if f := got["gen/svc/v1/svc.pb.go"]; f == nil || !strings.Contains(string(f.New), `v1 "example.com/external/acme/common/v1"`) {
		t.Errorf("svc.pb.go not regenerated against the Makefile's -I root; changed %v", keys(got))
	}
}

// TestNonUTF8Comment: a Latin-1 byte in a .proto comment gets a short
// diagnostic at the .proto line, not the generator's error with the whole
// generated file at the .pb.go (issue 10, item 9).
func TestNonUTF8Comment(t *testing.T) {
	dir := layoutModule(t, "badutf8", "example.com/badutf8",
		legacyRun{roots: protows.Plain("."), files: []string{"pb/order.proto"}},
	)
	// The file was UTF-8 when its code was generated; now it is Latin-1.
	p := filepath.Join(dir, "pb", "order.proto")
	b, err := os.ReadFile(p)
	must(t, err)
	must(t, os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "\u00e9", "\xe9")), 0o644))
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	if len(res.Files) != 0 {
		t.Errorf("changed %v", keys(changed(dir, &res.Set)))
	}
	if len(res.Diags) != 1 {
		logDiags(t, &res.Set)
		t.Fatalf("%d diagnostics, want 1", len(res.Diags))
	}
	d := res.Diags[0]
	if want := p; d.Path != want || d.Start.Line != 5 || d.Start.Col != 7 {
		t.Errorf("diagnostic at %s:%d:%d, want %s:5:7", d.Path, d.Start.Line, d.Start.Col, want)
	}
	if n := len(d.Message) + len(d.Suggestion); n > 400 {
		t.Errorf("diagnostic is %d bytes long:\n%s", n, d.Format(d.Path))
	}
}

// TestBareGoPackage: a go_package that is only a package name (which old
// generators accepted) does not reach current protoc-gen-go as an import
// path when the gen stage runs alone (issue 10, item 6).
func TestBareGoPackage(t *testing.T) {
	dir := layoutModule(t, "barename", "example.com/barename",
		legacyRun{roots: protows.Plain("."), files: []string{"pb/order.proto"}},
	)
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	logDiags(t, &res.Set)
	if len(res.Diags) != 0 {
		t.Errorf("%d diagnostics, want none", len(res.Diags))
	}
	f := changed(dir, &res.Set)["pb/order.pb.go"]
	if f == nil || !strings.Contains(string(f.New), "\npackage orderpb\n") {
		t.Fatalf("pb/order.pb.go not regenerated in package orderpb; changed %v", keys(changed(dir, &res.Set)))
	}
	write(t, &res.Set)
	vetGenerated(t, dir, "example.com/barename", "pb")
}

// TestAmbiguousImport: a file whose import only other roots provide, and
// two of them with different content, is reported: which one protoc saw
// depends on an -I order the repository does not state.
func TestAmbiguousImport(t *testing.T) {
	dir := layoutModule(t, "samename", "example.com/samename",
		legacyRun{roots: protows.Plain("examples/a/proto"), files: []string{"kv.proto"}},
		legacyRun{roots: protows.Plain("examples/b/proto"), files: []string{"kv.proto"}},
		legacyRun{roots: protows.Plain("examples/c/proto", "examples/a/proto"), files: []string{"user.proto"}},
	)
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	got := changed(dir, &res.Set)
	if got["examples/c/proto/user.pb.go"] != nil {
		t.Error("user.pb.go regenerated against a guessed kv.proto")
	}
	if got["examples/a/proto/kv.pb.go"] == nil || got["examples/b/proto/kv.pb.go"] == nil {
		t.Errorf("the unambiguous files were not regenerated: %v", keys(got))
	}
	if len(res.Diags) != 1 || !strings.Contains(res.Diags[0].Message, "import kv.proto is ambiguous") || !strings.HasSuffix(res.Diags[0].Path, "user.pb.go") {
		logDiags(t, &res.Set)
		t.Error("want one diagnostic at user.pb.go naming the ambiguous import")
	}
}

// TestOldHeader: protoc-gen-go before March 2017 wrote "// DO NOT EDIT!"
// on a line of its own and no versions block (go-grpc-prometheus v1.2.0's
// examples/testproto/test.pb.go). Such a file is regenerated from the
// .proto its source line names, like later output; it used to be skipped,
// and the Go stage then edited it as hand-written code.
func TestOldHeader(t *testing.T) {
	dir := layoutModule(t, "oldheader", "example.com/oldheader",
		legacyRun{roots: protows.Plain("examples/testproto"), files: []string{"test.proto"}},
	)
	p := filepath.Join(dir, "examples", "testproto", "test.pb.go")
	b, err := os.ReadFile(p)
	must(t, err)
	old := strings.Replace(string(b), "// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: test.proto\n",
		"// Code generated by protoc-gen-go.\n// source: test.proto\n// DO NOT EDIT!\n", 1)
	if old == string(b) {
		t.Fatalf("unexpected v1.3.5 header:\n%s", head(string(b)))
	}
	must(t, os.WriteFile(p, []byte(old), 0o644))
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	must(t, err)
	logDiags(t, &res.Set)
	got := changed(dir, &res.Set)
	pb := got["examples/testproto/test.pb.go"]
	if pb == nil {
		t.Fatalf("changed files %v, want test.pb.go regenerated", keys(got))
	}
	if !strings.HasPrefix(string(pb.New), "// Code generated by protoc-gen-go. DO NOT EDIT.\n// versions:\n") {
		t.Errorf("test.pb.go not written by current protoc-gen-go:\n%s", head(string(pb.New)))
	}
	if got["examples/testproto/test_grpc.pb.go"] == nil {
		t.Error("the plugins=grpc service was not generated into test_grpc.pb.go")
	}
}
