package regen

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
)

// copyTree copies src into a new temporary directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	copyInto(t, src, dst)
	return dst
}

func grpcPlugin(t *testing.T) string {
	t.Helper()
	bin, err := toolbin.Build(context.Background(), toolbin.GoGRPCPkg, toolbin.GoGRPCVersion)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func write(t *testing.T, set *change.Set) {
	t.Helper()
	for _, f := range set.Files {
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLegacyApp(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module, then go vet")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	ctx := context.Background()
	opts := Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	// gen.sh is brought in line with the regenerated code (announced,
	// nothing left for a person).
	var diags []string
	for _, d := range res.Diags {
		rel, _ := filepath.Rel(dir, d.Path)
		diags = append(diags, d.Format(filepath.ToSlash(rel)))
		if d.Risk == change.Manual || d.Rule != ScriptRule || rel != "gen.sh" {
			t.Errorf("unexpected diagnostic %s", diags[len(diags)-1])
		}
	}
	if len(diags) != 2 {
		t.Errorf("diagnostics:\n%s\nwant two %s announcements on gen.sh", strings.Join(diags, "\n"), ScriptRule)
	}
	if f := res.Lookup(filepath.Join(dir, "gen.sh")); f == nil || !strings.Contains(string(f.New), `--go_out="paths=source_relative,$WKT:." --go-grpc_out="paths=source_relative,$WKT:."`) {
		t.Errorf("gen.sh not rewritten for protoc-gen-go-grpc")
	}
	got := map[string]*change.File{}
	for _, f := range res.Files {
		if filepath.Base(f.Path) == "gen.sh" {
			continue
		}
		rel, _ := filepath.Rel(dir, f.Path)
		got[filepath.ToSlash(rel)] = f
	}
	want := map[string]bool{
		"proto/orders/v1/orders.pb.go":      false,
		"proto/orders/v1/orders_grpc.pb.go": true,
		"proto/legacy/v1/legacy.pb.go":      false,
		"proto/legacy/v1/legacy_grpc.pb.go": true,
	}
	if len(got) != len(want) {
		t.Errorf("changed files %v, want %v", keys(got), want)
	}
	for name, created := range want {
		f := got[name]
		if f == nil {
			t.Errorf("%s not regenerated", name)
			continue
		}
		if f.Created != created {
			t.Errorf("%s: Created = %v, want %v", name, f.Created, created)
		}
		s := string(f.New)
		if !strings.Contains(s, "// \tprotoc-gen-go "+toolbin.GoVersion) && !strings.Contains(s, "// - protoc-gen-go-grpc "+toolbin.GoGRPCVersion) {
			t.Errorf("%s: header names no pinned generator:\n%s", name, head(s))
		}
		if strings.Contains(s, "github.com/golang/protobuf") {
			t.Errorf("%s still imports github.com/golang/protobuf", name)
		}
	}
	if f := got["proto/orders/v1/orders.pb.go"]; f != nil {
		s := string(f.New)
		for _, w := range []string{`timestamppb "google.golang.org/protobuf/types/known/timestamppb"`, "package orderspb"} {
			if !strings.Contains(s, w) {
				t.Errorf("orders.pb.go lacks %q", w)
			}
		}
		if strings.Contains(s, "grpc.ServiceDesc") {
			t.Error("orders.pb.go still carries inline service code")
		}
	}
	if f := got["proto/orders/v1/orders_grpc.pb.go"]; f != nil {
		s := string(f.New)
		for _, w := range []string{"grpc.SupportPackageIsVersion9", "mustEmbedUnimplementedOrderServiceServer()", "func RegisterOrderServiceServer(s grpc.ServiceRegistrar", "package orderspb"} {
			if !strings.Contains(s, w) {
				t.Errorf("orders_grpc.pb.go lacks %q", w)
			}
		}
	}
	if res.Requires[ProtobufModule] != ProtobufFloor || res.Requires[GRPCModule] != GRPCFloor {
		t.Errorf("Requires = %v", res.Requires)
	}
	wantPkgs := "example.com/legacyapp/proto/legacy/v1 example.com/legacyapp/proto/orders/v1"
	if s := strings.Join(res.Regenerated, " "); s != wantPkgs {
		t.Errorf("Regenerated = %s, want %s", s, wantPkgs)
	}

	// Through an overlay, the second run sees the first run's output and
	// must find nothing to do.
	overlay := map[string][]byte{}
	for _, f := range res.Files {
		overlay[f.Path] = f.New
	}
	again, err := Run(ctx, Options{ModuleDir: dir, Overlay: overlay, GRPCPlugin: opts.GRPCPlugin})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 0 || len(again.Diags) != 0 {
		t.Errorf("second run (overlay) changed %d files, %d diagnostics", len(again.Files), len(again.Diags))
		for _, f := range again.Files {
			t.Logf("%s:\n%s", f.Path, head(string(f.New)))
		}
		for _, d := range again.Diags {
			t.Logf("%s", d.Format(d.Path))
		}
	}
	// The second run must still see every generated file (current output
	// starts with the .proto's own leading comments, not the header).
	if s := strings.Join(again.Regenerated, " "); s != wantPkgs {
		t.Errorf("second run (overlay) checked %s, want %s", s, wantPkgs)
	}
	write(t, &res.Set)
	again, err = Run(ctx, Options{ModuleDir: dir, GRPCPlugin: opts.GRPCPlugin})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 0 {
		t.Errorf("second run (disk) changed %d files", len(again.Files))
	}
	if s := strings.Join(again.Regenerated, " "); s != wantPkgs {
		t.Errorf("second run (disk) checked %s, want %s", s, wantPkgs)
	}
	vetGenerated(t, dir, "example.com/legacyapp", "proto")
}

// vetGenerated type-checks and vets the regenerated packages against the
// pinned runtimes, in a module made from the ruletest template (whose
// go.sum is complete, so no network is needed).
func vetGenerated(t *testing.T, dir, modPath, sub string) {
	t.Helper()
	tmpl := filepath.Join("..", "..", "ruletest", "testdata", "mod")
	mod, err := os.ReadFile(filepath.Join(tmpl, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(tmpl, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	m := t.TempDir()
	mod = []byte(strings.Replace(string(mod), "module example.com/cases", "module "+modPath, 1))
	if err := os.WriteFile(filepath.Join(m, "go.mod"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, sub)
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".pb.go") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := os.MkdirAll(filepath.Join(m, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(m, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = m
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet of the regenerated packages: %v\n%s", err, out)
	}
}

func TestMissingSource(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	if err := os.Remove(filepath.Join(dir, "proto", "legacy", "v1", "legacy.proto")); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range res.Diags {
		if d.Rule == SourceRule && strings.HasSuffix(d.Path, "legacy.pb.go") && d.Start.Line == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("no %s diagnostic at legacy.pb.go:2; got %v", SourceRule, res.Diags)
	}
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, "legacy.pb.go") {
			t.Error("legacy.pb.go regenerated without a source")
		}
	}
}

func TestCompileError(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	p := filepath.Join(dir, "proto", "legacy", "v1", "legacy.proto")
	res, err := Run(context.Background(), Options{
		ModuleDir:  dir,
		GRPCPlugin: grpcPlugin(t),
		Overlay:    map[string][]byte{p: []byte("syntax = \"proto2\";\npackage legacy.v1;\nmessage R { optional strin x = 1; }\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range res.Diags {
		if d.Rule == CompileRule && d.Path == p && d.Start.Line == 3 {
			found = true
		}
	}
	if !found {
		t.Errorf("no %s diagnostic at %s:3; got %v", CompileRule, p, res.Diags)
	}
	var orders bool
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, "orders.pb.go") {
			orders = true
		}
	}
	if !orders {
		t.Error("a broken legacy.proto stopped orders.proto from being regenerated")
	}
}

// TestEdition2024: the in-process compiler stops at edition 2023; the
// diagnostic says so and how to regenerate instead.
func TestEdition2024(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	p := filepath.Join(dir, "proto", "orders", "v1", "orders.proto")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), `syntax = "proto3";`, `edition = "2024";`, 1)
	res, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t), Overlay: map[string][]byte{p: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range res.Diags {
		if d.Rule == CompileRule && d.Path == p && strings.Contains(d.Suggestion, "buf generate") {
			found = true
		}
	}
	if !found {
		t.Errorf("no edition-2024 diagnostic at %s: %v", p, res.Diags)
	}
}

func keys(m map[string]*change.File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func head(s string) string {
	lines := strings.SplitN(s, "\n", 12)
	if len(lines) > 11 {
		lines = lines[:11]
	}
	return strings.Join(lines, "\n")
}

// TestKeepsUnimplementedOptOut: code generated with
// require_unimplemented_servers=false stays that way on later default runs.
func TestKeepsUnimplementedOptOut(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	ctx := context.Background()
	res, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t), AllowMissingUnimplemented: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		if mustEmbedStub.Match(f.New) {
			t.Errorf("%s: mustEmbedUnimplemented despite the opt-out", f.Path)
		}
	}
	write(t, &res.Set)
	again, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 0 {
		t.Errorf("default run after an opt-out run changed %d files", len(again.Files))
	}
}

// TestKeepsAPILevel: output generated with the Hybrid API stays Hybrid.
func TestKeepsAPILevel(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc and regenerates a module")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	ctx := context.Background()
	req, err := generate.Compile(ctx, generate.CompileOptions{ImportPaths: []string{dir}, Files: []string{"proto/orders/v1/orders.proto"}})
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate.Run(ctx, generate.Spec{Pkg: toolbin.GoPkg, Version: toolbin.GoVersion, Params: "default_api_level=API_HYBRID"}, req)
	if err != nil {
		t.Fatal(err)
	}
	hybrid := filepath.Join(dir, "proto", "orders", "v1", "orders.pb.go")
	if !strings.Contains(string(files[0].Content), `protogen:"hybrid.v1"`) {
		t.Fatal("setup: no hybrid output")
	}
	if err := os.WriteFile(hybrid, files[0].Content, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		if f.Path == hybrid {
			t.Errorf("hybrid orders.pb.go was regenerated with another API level")
		}
	}
	if got := apiLevel([]byte("a `protogen:\"open.v1\"` b `protogen:\"opaque.v1\"`")); got != "" {
		t.Errorf("mixed levels: %q", got)
	}
}

// BenchmarkLegacyApp measures one gen stage run over testdata/legacyapp
// (two .proto files, four generated files, generators warm in the cache).
func BenchmarkLegacyApp(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join("..", "..", "testdata", "legacyapp")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	bin, err := toolbin.Build(context.Background(), toolbin.GoGRPCPkg, toolbin.GoGRPCVersion)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Run(context.Background(), Options{ModuleDir: dir, GRPCPlugin: bin}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMustEmbedStubOfEveryRelease: protoc-gen-go-grpc before v1.3 writes
// the stub's empty body over two lines; output of v1.2.0 made with the
// default require_unimplemented_servers=true was taken for an opt-out,
// and the second run regenerated it without mustEmbedUnimplemented….
func TestMustEmbedStubOfEveryRelease(t *testing.T) {
	for _, src := range []string{
		// protoc-gen-go-grpc v1.2.0
		"func (UnimplementedEchoServer) Echo(context.Context, *Msg) (*Msg, error) {\n\treturn nil, status.Errorf(codes.Unimplemented, \"method Echo not implemented\")\n}\nfunc (UnimplementedEchoServer) mustEmbedUnimplementedEchoServer() {\n}\n",
		// protoc-gen-go-grpc v1.5.1
		"func (UnimplementedEchoServer) mustEmbedUnimplementedEchoServer() {}\nfunc (UnimplementedEchoServer) testEmbeddedByValue()                {}\n",
	} {
		if !mustEmbedStub.MatchString(src) {
			t.Errorf("stub not recognised in:\n%s", src)
		}
	}
	// The opt-out output names the method only in UnsafeEchoServer.
	optOut := "type UnsafeEchoServer interface {\n\tmustEmbedUnimplementedEchoServer()\n}\n"
	if mustEmbedStub.MatchString(optOut) {
		t.Errorf("opt-out output taken for the default:\n%s", optOut)
	}
}
