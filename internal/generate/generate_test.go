package generate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/toolbin"
)

func TestParseSpecs(t *testing.T) {
	got, err := ParseSpecs("github.com/golang/protobuf/protoc-gen-go@v1.3.5:plugins=grpc,paths=source_relative,M=a/b.proto=example.com/b,google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2:require_unimplemented_servers=true,/usr/local/bin/protoc-gen-x,protoc-gen-y:a=b")
	if err != nil {
		t.Fatal(err)
	}
	want := []Spec{
		{Pkg: toolbin.LegacyGoPkg, Version: "v1.3.5", Params: "plugins=grpc,paths=source_relative,M=a/b.proto=example.com/b"},
		{Pkg: toolbin.GoGRPCPkg, Version: "v1.6.2", Params: "require_unimplemented_servers=true"},
		{Binary: "/usr/local/bin/protoc-gen-x"},
		{Binary: "protoc-gen-y", Params: "a=b"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d specs %v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("spec %d: got %+v, want %+v", i, got[i], want[i])
		}
		if rt, err := ParseSpec(got[i].String()); err != nil || rt != got[i] {
			t.Errorf("round trip of %s: %+v %v", got[i], rt, err)
		}
	}
	if got[0].InProcess() || got[0].Name() != "protoc-gen-go" || got[2].Name() != "protoc-gen-x" {
		t.Errorf("names: %s %s", got[0].Name(), got[2].Name())
	}
	if !Current()[0].InProcess() || Current()[1].InProcess() {
		t.Error("only protobuf-go's protoc-gen-go at the pinned version runs in process")
	}
}

func TestParseSpecErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                                       "empty generator",
		"github.com/x/y@latest":                  "bad version",
		"github.com/x/y@v1.2":                    "bad version",
		"bad path@v1.0.0":                        "bad package path",
		toolbin.GoPkg + "@v1.36.12:plugins=grpc": "rejects plugins=",
	} {
		_, err := ParseSpec(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func protoRoot(t *testing.T) string {
	root, err := filepath.Abs("../../testdata/protos")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestInProcessMatchesBinary proves the in-process protoc-gen-go is the
// same generator as the released binary at the pinned version.
func TestInProcessMatchesBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go and protoc-gen-go-grpc")
	}
	ctx := context.Background()
	root := protoRoot(t)
	req, err := Compile(ctx, CompileOptions{
		ImportPaths: []string{root},
		Files:       []string{"shop/v1/catalog.proto", filepath.Join(root, "shop/v1/catalog_service.proto"), "inventory/v1/inventory.proto"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(req.FileToGenerate, " "); got != "shop/v1/catalog.proto shop/v1/catalog_service.proto inventory/v1/inventory.proto" {
		t.Errorf("FileToGenerate = %s", got)
	}
	in, err := Run(ctx, Spec{Pkg: toolbin.GoPkg, Version: toolbin.GoVersion, Params: "paths=source_relative"}, req)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := toolbin.Build(ctx, toolbin.GoPkg, toolbin.GoVersion)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Run(ctx, Spec{Binary: bin, Params: "paths=source_relative"}, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 3 || len(ex) != 3 {
		t.Fatalf("got %d and %d files", len(in), len(ex))
	}
	for i := range in {
		if in[i].Name != ex[i].Name || !bytes.Equal(in[i].Content, ex[i].Content) {
			t.Errorf("%s differs between in-process and binary generator", in[i].Name)
		}
	}
	if in[0].Name != "shop/v1/catalog.pb.go" || !bytes.Contains(in[0].Content, []byte("protoc-gen-go v1.36.12")) {
		t.Errorf("first file %s:\n%.300s", in[0].Name, in[0].Content)
	}

	grpcFiles, err := Run(ctx, Spec{Pkg: toolbin.GoGRPCPkg, Version: toolbin.GoGRPCVersion, Params: "paths=source_relative"}, req)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range grpcFiles {
		names = append(names, f.Name)
	}
	if strings.Join(names, " ") != "shop/v1/catalog_service_grpc.pb.go inventory/v1/inventory_grpc.pb.go" {
		t.Errorf("grpc files: %v", names)
	}
}

func TestLegacyRefusesProto3Optional(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the legacy protoc-gen-go")
	}
	ctx := context.Background()
	dir := t.TempDir()
	src := "syntax = \"proto3\";\npackage p;\noption go_package = \"example.com/p\";\nmessage A { optional int32 rank = 1; }\n"
	if err := os.WriteFile(filepath.Join(dir, "opt.proto"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	req, err := Compile(ctx, CompileOptions{ImportPaths: []string{dir}, Files: []string{"opt.proto"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, Spec{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV135, Params: "plugins=grpc"}, req)
	if err == nil || !strings.Contains(err.Error(), "does not support proto3 optional fields, used in opt.proto") {
		t.Fatalf("got %v", err)
	}
	if _, err := Run(ctx, Current()[0], req); err != nil {
		t.Fatalf("current protoc-gen-go refused proto3 optional: %v", err)
	}
}

func TestOverlayAndErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.proto")
	if err := os.WriteFile(a, []byte("syntax = \"proto3\";\nmessage A {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay := map[string][]byte{
		a:                             []byte("syntax = \"proto3\";\npackage p;\noption go_package = \"example.com/p\";\nmessage A {\n  // Over is documented.\n  string over = 1;\n}\n"),
		filepath.Join(dir, "b.proto"): []byte("syntax = \"proto3\";\npackage p;\nmessage B { Missing m = 1; }\n"),
	}
	req, err := Compile(ctx, CompileOptions{ImportPaths: []string{dir}, Files: []string{"a.proto"}, Overlay: overlay})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Run(ctx, Current()[0], req)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "example.com/p/a.pb.go" || !bytes.Contains(files[0].Content, []byte("func (x *A) GetOver() string")) {
		t.Fatalf("overlay not used: %d files", len(files))
	}

	if !bytes.Contains(files[0].Content, []byte("// Over is documented.")) {
		t.Error("source info (comments) missing from the output")
	}
	bare, err := Compile(ctx, CompileOptions{ImportPaths: []string{dir}, Files: []string{"a.proto"}, Overlay: overlay, NoSourceInfo: true})
	if err != nil {
		t.Fatal(err)
	}
	if files, err := Run(ctx, Current()[0], bare); err != nil || bytes.Contains(files[0].Content, []byte("// Over is documented.")) {
		t.Errorf("NoSourceInfo output still has comments (err %v)", err)
	}

	_, err = Compile(ctx, CompileOptions{ImportPaths: []string{dir}, Files: []string{"b.proto"}, Overlay: overlay})
	if err == nil || !strings.Contains(err.Error(), "b.proto:3:13") || !strings.Contains(err.Error(), "Missing") {
		t.Errorf("compile error lacks position: %v", err)
	}
	_, err = Compile(ctx, CompileOptions{ImportPaths: []string{dir}, Files: []string{"/elsewhere/c.proto"}})
	if err == nil || !strings.Contains(err.Error(), "under none of the import paths") {
		t.Errorf("got %v", err)
	}
	_, err = Run(ctx, Spec{Pkg: toolbin.GoPkg, Version: toolbin.GoVersion, Params: "bogus=1"}, req)
	if err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("got %v", err)
	}
}
