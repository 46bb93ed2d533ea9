package diffcheck

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/generate"
)

// TestBeforeAfterProtoChange runs one generator on a .proto file before
// and after an edit, the mode the proto stage uses to prove a rewrite
// keeps the generated API.
func TestBeforeAfterProtoChange(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs the generators and type-checks generated code")
	}
	abs, err := filepath.Abs("testdata/protos/shop/v1/types.proto")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "  int64 units = 2;\n", "  int64 amount = 2;\n  int32 nanos = 3;\n", 1)
	edited = strings.Replace(edited, "  AVAILABILITY_SOLD_OUT = 2;\n", "  AVAILABILITY_SOLD_OUT = 3;\n", 1)
	ctx := context.Background()
	opts := Options{
		Paths:       []string{"shop/v1/types.proto"},
		ImportPaths: []string{"testdata/protos"},
		Old:         generate.Current(),
		NewOverlay:  map[string][]byte{abs: []byte(edited)},
	}
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.Text(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, "before_after_edit.txt", text.Bytes())

	// An edit that keeps the API (a comment) yields no change at all.
	opts.NewOverlay = map[string][]byte{abs: append([]byte("// A comment.\n"), src...)}
	rep, err = Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 0 || rep.Fails(FailOnBreaking) {
		t.Errorf("comment-only edit changed the API: %+v", rep.Changes)
	}
}

func TestRunRequestAndDiffFile(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the legacy generators and type-checks generated code")
	}
	ctx := context.Background()
	req, err := generate.Compile(ctx, generate.CompileOptions{ImportPaths: []string{"testdata/protos"}, Files: protos})
	if err != nil {
		t.Fatal(err)
	}
	req.Parameter = nil
	rep, err := RunRequest(ctx, Options{Old: []generate.Spec{legacy154}, New: generate.Current(), DiffFile: "service.pb.go"}, req.CodeGeneratorRequest)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CrossReferenced || rep.Breaking() != 2 {
		t.Errorf("breaking = %d, cross-referenced = %v", rep.Breaking(), rep.CrossReferenced)
	}
	if !strings.HasPrefix(rep.Diff, "--- old/example.com/shop/gen/shopv1/service.pb.go\n+++ new/example.com/shop/gen/shopv1/service.pb.go\n@@ -1,") {
		t.Errorf("diff header:\n%.200s", rep.Diff)
	}
	if !strings.Contains(rep.Diff, "-func RegisterShopServer(s *grpc.Server, srv ShopServer) {") {
		t.Error("diff lacks the removed inline RegisterShopServer")
	}
	if len(req.FileToGenerate) != 2 {
		t.Error("RunRequest changed the caller's request")
	}

	_, err = RunRequest(ctx, Options{Old: []generate.Spec{legacy154}, New: generate.Current(), DiffFile: "nope.pb.go"}, req.CodeGeneratorRequest)
	if err == nil || !strings.Contains(err.Error(), "generated files are: example.com/shop/gen/shopv1/types.pb.go") {
		t.Errorf("got %v", err)
	}
}

func TestFails(t *testing.T) {
	unused := &Report{CrossReferenced: true, Changes: []Change{{Breaking: true}, {}}}
	used := &Report{CrossReferenced: true, Changes: []Change{{Breaking: true, Uses: []Use{{Pos: "a.go:1:1", Breaks: true}}}}}
	callsOnly := &Report{CrossReferenced: true, Changes: []Change{{Breaking: true, Uses: []Use{{Pos: "a.go:1:1"}}}}}
	clean := &Report{Changes: []Change{{}}}
	for _, tc := range []struct {
		r      *Report
		failOn string
		want   bool
	}{
		{unused, FailOnBreaking, true},
		{unused, FailOnUsed, false},
		{unused, FailOnNever, false},
		{used, FailOnUsed, true},
		{callsOnly, FailOnUsed, false},
		{callsOnly, FailOnBreaking, true},
		{clean, FailOnBreaking, false},
		{clean, "typo", true},
	} {
		if got := tc.r.Fails(tc.failOn); got != tc.want {
			t.Errorf("Fails(%q) on %+v = %v, want %v", tc.failOn, tc.r.Changes, got, tc.want)
		}
	}
	if CheckFailOn("used") != nil || CheckFailOn("sometimes") == nil {
		t.Error("CheckFailOn")
	}
}

func TestRunErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Run(ctx, Options{Paths: protos, ImportPaths: []string{"testdata/protos"}}); err == nil || !strings.Contains(err.Error(), "-old=") {
		t.Errorf("got %v", err)
	}
	_, err := Run(ctx, Options{Paths: []string{"shop/v1/missing.proto"}, ImportPaths: []string{"testdata/protos"}, Old: generate.Current(), New: generate.Current()})
	if err == nil || !strings.Contains(err.Error(), "missing.proto") {
		t.Errorf("got %v", err)
	}
}

// TestEditionsConversionKeepsAPI is the proto stage's equivalence proof
// in miniature: a proto3 file moved to edition 2023 with the features
// that keep proto3 semantics generates the same Go API.
func TestEditionsConversionKeepsAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the legacy generators and type-checks generated code")
	}
	abs, err := filepath.Abs("testdata/protos/shop/v1/types.proto")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	conv := strings.Replace(string(src), `syntax = "proto3";`, "edition = \"2023\";\n\noption features.field_presence = IMPLICIT;", 1)
	conv = strings.Replace(conv, "  google.protobuf.Timestamp updated_at = 6;", "  google.protobuf.Timestamp updated_at = 6 [features.field_presence = EXPLICIT];", 1)
	rep, err := Run(context.Background(), Options{
		Paths:       []string{"shop/v1/types.proto"},
		ImportPaths: []string{"testdata/protos"},
		Old:         generate.Current()[:1],
		NewOverlay:  map[string][]byte{abs: []byte(conv)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 0 {
		var text bytes.Buffer
		rep.Text(&text)
		t.Errorf("edition 2023 conversion changed the API:\n%s", text.String())
	}

	// The legacy generator cannot read editions: the error says so.
	_, err = Run(context.Background(), Options{
		Paths:       []string{"shop/v1/types.proto"},
		ImportPaths: []string{"testdata/protos"},
		Old:         []generate.Spec{legacy154},
		NewOverlay:  map[string][]byte{abs: []byte(conv)},
	})
	if err == nil || !strings.Contains(err.Error(), "does not support editions") {
		t.Errorf("got %v", err)
	}
}

func TestWriteFormats(t *testing.T) {
	r := &Report{Old: []string{"a@v1.0.0"}, New: []string{"b@v1.0.0"}, Packages: []string{"p"}, Changes: []Change{{Package: "p", Kind: KindFunc, Name: "F", Op: Removed, Old: "func F()", Breaking: true, Reason: "gone"}}}
	for format, want := range map[string]string{"text": "breaking:", "json": `"breaking": true`, "md": "| breaking | removed func `F` |"} {
		var b bytes.Buffer
		if err := r.Write(&b, format); err != nil || !strings.Contains(b.String(), want) {
			t.Errorf("format %s: %v\n%s", format, err, b.String())
		}
	}
	if err := r.Write(&bytes.Buffer{}, "yaml"); err == nil {
		t.Error("yaml accepted")
	}
}
