package regen

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOlderGenerators regenerates the go 1.12 library with the
// generators a go 1.12 module gets (protoc-gen-go v1.31.0 as a built
// binary, protoc-gen-go-grpc v1.2.0): their headers, no API-level
// parameter (older generators reject it), and per-file requirements that
// match their runtimes. A second run over that output changes nothing,
// and output of a newer protoc-gen-go than planned is left alone.
func TestOlderGenerators(t *testing.T) {
	if testing.Short() {
		t.Skip("builds old generators")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "lib112"))
	ctx := context.Background()
	opts := Options{ModuleDir: dir, GoVersion: "v1.31.0", GRPCVersion: "v1.2.0"}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diags) != 0 {
		t.Errorf("diagnostics: %v", res.Diags)
	}
	want := map[string]struct{ header, mod, version string }{
		"greet.pb.go":      {"// \tprotoc-gen-go v1.31.0", ProtobufModule, "v1.31.0"},
		"greet_grpc.pb.go": {"// - protoc-gen-go-grpc v1.2.0", GRPCModule, "v1.32.0"},
	}
	if len(res.Files) != len(want) {
		t.Fatalf("files: %d, want %d", len(res.Files), len(want))
	}
	for _, f := range res.Files {
		w, ok := want[filepath.Base(f.Path)]
		if !ok {
			t.Errorf("unexpected %s", f.Path)
			continue
		}
		if !strings.Contains(string(f.New), w.header) {
			t.Errorf("%s: no %q in\n%s", f.Path, w.header, head(string(f.New)))
		}
		if f.Requires[w.mod] != w.version || len(f.Requires) != 1 {
			t.Errorf("%s: Requires = %v, want %s %s", f.Path, f.Requires, w.mod, w.version)
		}
	}
	if res.Requires[ProtobufModule] != "v1.31.0" || res.Requires[GRPCModule] != "v1.32.0" {
		t.Errorf("Requires = %v", res.Requires)
	}
	overlay := map[string][]byte{}
	for _, f := range res.Files {
		overlay[f.Path] = f.New
	}
	again, err := Run(ctx, Options{ModuleDir: dir, Overlay: overlay, GoVersion: "v1.31.0", GRPCVersion: "v1.2.0"})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 0 {
		t.Errorf("second run changes %d files", len(again.Files))
	}

	// Output of the pinned (newer) generators stays when a lower
	// release is planned.
	newer, err := Run(ctx, Options{ModuleDir: dir, GRPCPlugin: grpcPlugin(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range newer.Files {
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	down, err := Run(ctx, Options{ModuleDir: dir, GoVersion: "v1.31.0", GRPCVersion: "v1.2.0"})
	if err != nil {
		t.Fatal(err)
	}
	if len(down.Files) != 0 {
		for _, f := range down.Files {
			t.Errorf("%s downgraded:\n%s", f.Path, head(string(f.New)))
		}
	}
}

func TestGRPCRuntimeFloor(t *testing.T) {
	for gen, want := range map[string]string{"v1.0.0": "v1.32.0", "v1.2.0": "v1.32.0", "v1.4.0": "v1.62.0", "v1.5.1": "v1.64.0", "v1.6.2": "v1.64.0"} {
		if got := GRPCRuntimeFloor(gen); got != want {
			t.Errorf("GRPCRuntimeFloor(%s) = %s, want %s", gen, got, want)
		}
	}
}
