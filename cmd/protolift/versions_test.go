package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestLibraryStaysAtGo112 is issue 10's version-policy acceptance test: a
// library at go 1.12 (protoc-gen-go v1.3.5 plugins=grpc output, APIv1
// code, grpc-go v1.27) is migrated with default flags and keeps go 1.12:
// the generators and runtimes are the newest whose go directives fit, the
// file whose rewrite needs grpc.NewClient (grpc-go v1.63, go 1.19) is
// withdrawn and reported with the -go value that would allow it, and the
// module builds, vets and passes its tests; a second run changes nothing
// and exits 0.
func TestLibraryStaysAtGo112(t *testing.T) {
	if testing.Short() {
		t.Skip("builds old generators and downloads old module releases")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "lib112"))
	dial, _ := os.ReadFile(filepath.Join(dir, "dial.go"))
	code, _, errOut := protolift(t, "-C", dir, "-w", "./...")
	if code != exitOK {
		t.Fatalf("protolift -w: exit %d\n%s", code, errOut)
	}
	t.Logf("findings:\n%s", errOut)
	data, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mf.Go.Version != "1.12" {
		t.Errorf("go directive is %s, want 1.12:\n%s", mf.Go.Version, data)
	}
	for _, r := range mf.Require {
		if r.Mod.Path == "github.com/golang/protobuf" {
			t.Errorf("go.mod still requires golang/protobuf:\n%s", data)
		}
	}
	if left := legacyImports(t, dir, true); len(left) != 0 {
		t.Errorf("still importing golang/protobuf: %v", left)
	}
	// Only grpc.dial's rewrite needs grpc-go v1.63.0 (go 1.19): it alone
	// is withdrawn; grpc.creds (v1.34.0) still rewrites the file.
	now, _ := os.ReadFile(filepath.Join(dir, "dial.go"))
	if !strings.Contains(string(now), "grpc.DialContext(") || !strings.Contains(string(now), "insecure.NewCredentials()") || string(now) == string(dial) {
		t.Errorf("dial.go: want DialContext kept and WithInsecure rewritten:\n%s", now)
	}
	if !strings.Contains(errOut, "dial.go:16:15: grpc.dial: not rewritten: the rewrite needs google.golang.org/grpc v1.63.0") || !strings.Contains(errOut, "-go=1.19") {
		t.Errorf("no withdrawal finding for grpc.dial in dial.go naming -go=1.19:\n%s", errOut)
	}
	for _, f := range []string{"proto/greet/v1/greet.pb.go", "proto/greet/v1/greet_grpc.pb.go"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !strings.Contains(string(b), "DO NOT EDIT") {
			t.Errorf("%s not regenerated: %v", f, err)
		}
	}
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "test", "./...")
	if code, out, errOut := protolift(t, "-C", dir, "-l", "./..."); code != exitOK || out != "" {
		t.Errorf("second run: exit %d, would change:\n%s\n%s", code, out, errOut)
	}

	// -go=1.19 allows the raise: dial.go moves to grpc.NewClient and the
	// go directive to what the chosen releases declare, no further.
	dir = copyTree(t, filepath.Join("..", "..", "testdata", "lib112"))
	if code, _, errOut = protolift(t, "-C", dir, "-go=1.19", "-w", "./..."); code == exitError {
		t.Fatalf("protolift -go=1.19 -w: exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "protolift.withdrawn") {
		t.Errorf("a file was withdrawn although -go=1.19 allows grpc.NewClient:\n%s", errOut)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "dial.go")); !strings.Contains(string(now), "grpc.NewClient(") {
		t.Errorf("dial.go not moved to grpc.NewClient:\n%s", now)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "go.mod"))
	if mf, err = modfile.Parse("go.mod", data, nil); err != nil {
		t.Fatal(err)
	}
	// Dependencies below go 1.21 do not make the go command raise the
	// directive: it stays, and the report says what building now needs.
	if v := mf.Go.Version; v != "1.12" {
		t.Errorf("go directive %s: want 1.12 (the go command leaves it)", v)
	}
	if !strings.Contains(errOut, "building the module now needs Go 1.19 or later") {
		t.Errorf("no note that building needs Go 1.19:\n%s", errOut)
	}
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "test", "./...")
}

func TestGoFlag(t *testing.T) {
	code, _, errOut := protolift(t, "mod", "-go=1.x", "./...")
	if code != exitError || !strings.Contains(errOut, "-go=1.x: want a Go version such as 1.23") {
		t.Errorf("-go=1.x: exit %d\n%s", code, errOut)
	}
}
