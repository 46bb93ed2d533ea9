package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protolift/protolift/internal/genheader"
	"github.com/protolift/protolift/internal/toolbin"
)

// deprecatedUses runs staticcheck's SA1019 check in dir and returns the
// findings about protobuf and gRPC identifiers in files keep accepts.
func deprecatedUses(t *testing.T, dir string, keep func(file string) bool) []string {
	t.Helper()
	bin, err := toolbin.Build(context.Background(), toolbin.StaticcheckPkg, toolbin.StaticcheckVersion)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-checks", "SA1019", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	start := time.Now()
	out, _ := cmd.CombinedOutput()
	t.Logf("staticcheck -checks SA1019 ./... (%v)", time.Since(start).Round(time.Millisecond))
	var found []string
	for _, l := range strings.Split(string(out), "\n") {
		file, _, ok := strings.Cut(l, ":")
		if !ok || !strings.Contains(l, "SA1019") {
			continue
		}
		if !strings.Contains(l, "protobuf") && !strings.Contains(l, "grpc") {
			continue
		}
		if keep(filepath.Join(dir, file)) {
			found = append(found, l)
		}
	}
	return found
}

func handWritten(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && !genheader.IsGenerated(data)
}

// copyTree copies the module at src into a fresh temp directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, _ := d.Info()
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func goIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s (%v)", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("go %s in the migrated module: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// legacyImports lists the hand-written (not generated) Go files of dir
// that still import github.com/golang/protobuf.
func legacyImports(t *testing.T, dir string, includeGenerated bool) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		data, _ := os.ReadFile(p)
		if !includeGenerated && genheader.IsGenerated(data) {
			return nil
		}
		if strings.Contains(string(data), `"github.com/golang/protobuf/`) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// unexplained returns the files of left for which stderr has no
// "not rewritten" finding: a file may keep golang/protobuf only where a
// rule refused a use with a reason (legacyapp passes proto.Message values
// to ptypes.MarshalAny, which may be hand-written messages).
func unexplained(left []string, dir, stderr string) []string {
	var out []string
	for _, f := range left {
		rel, _ := filepath.Rel(dir, f)
		explained := false
		for _, l := range strings.Split(stderr, "\n") {
			explained = explained || strings.HasPrefix(l, rel+":") && strings.Contains(l, "not rewritten")
		}
		if !explained {
			out = append(out, rel)
		}
	}
	return out
}

// TestLegacyAppGoStage is the foundation issue's acceptance test: on the
// bundled legacy module, `protolift go -w ./...` leaves no golang/protobuf
// import in hand-written code, generated files untouched, and the module
// builds, vets and passes its own tests with default flags; a second run
// changes nothing.
func TestLegacyAppGoStage(t *testing.T) {
	if testing.Short() {
		t.Skip("short: end-to-end migration of testdata/legacyapp with go build, vet, test and staticcheck")
	}
	// The two end-to-end runs work on separate copies and spend much of
	// their time waiting on the go command: side by side they finish sooner.
	t.Parallel()
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	generated := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			if data, _ := os.ReadFile(p); genheader.IsGenerated(data) {
				generated[p] = data
			}
		}
		return nil
	})
	start := time.Now()
	code, _, errOut := protolift(t, "go", "-C", dir, "-w", "./...")
	t.Logf("protolift go -w ./... (%v)", time.Since(start).Round(time.Millisecond))
	if code == exitError {
		t.Fatalf("protolift go -w: exit %d\n%s", code, errOut)
	}
	t.Logf("remaining findings:\n%s", errOut)
	if left := unexplained(legacyImports(t, dir, false), dir, errOut); len(left) > 0 {
		t.Errorf("hand-written files still import golang/protobuf, with no refusal reported: %v", left)
	}
	for p, data := range generated {
		if now, _ := os.ReadFile(p); string(now) != string(data) {
			t.Errorf("generated file %s was edited", p)
		}
	}
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "vet", "-tags=integration", "./...")
	goIn(t, dir, "test", "./...")
	refused := map[string]bool{}
	for _, f := range legacyImports(t, dir, false) {
		refused[f] = true
	}
	if left := deprecatedUses(t, dir, func(f string) bool { return handWritten(f) && !refused[f] }); len(left) > 0 {
		t.Errorf("staticcheck SA1019 still finds deprecated protobuf/gRPC uses in hand-written code:\n%s", strings.Join(left, "\n"))
	}
	if code, out, errOut := protolift(t, "go", "-C", dir, "-l", "./..."); out != "" || code == exitError {
		t.Errorf("second run would change files (exit %d):\n%s\n%s", code, out, errOut)
	}
}

// TestLegacyAppFullRun is the acceptance test of the whole pipeline: on
// the bundled legacy module (protoc-gen-go v1.3.5 plugins=grpc output and
// hand-written code on APIv1 and deprecated grpc-go), `protolift -w ./...`
// regenerates, rewrites and updates go.mod so that no
// github.com/golang/protobuf import is left anywhere, gRPC code lives in
// *_grpc.pb.go files, the module builds, vets and passes its tests
// (including the in-memory-listener ones), staticcheck SA1019 finds
// nothing, and a second run changes nothing.
func TestLegacyAppFullRun(t *testing.T) {
	if testing.Short() {
		t.Skip("short: end-to-end migration of testdata/legacyapp with go build, vet, test and staticcheck")
	}
	// The two end-to-end runs work on separate copies and spend much of
	// their time waiting on the go command: side by side they finish sooner.
	t.Parallel()
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	start := time.Now()
	code, _, errOut := protolift(t, "-C", dir, "-w", "./...")
	t.Logf("protolift -w ./... (%v)", time.Since(start).Round(time.Millisecond))
	if code == exitError {
		t.Fatalf("protolift -w: exit %d\n%s", code, errOut)
	}
	t.Logf("remaining findings:\n%s", errOut)
	left := legacyImports(t, dir, true)
	if u := unexplained(left, dir, errOut); len(u) > 0 {
		t.Errorf("files still import golang/protobuf, with no refusal reported: %v", u)
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if len(left) == 0 && strings.Contains(string(gomod), "github.com/golang/protobuf") {
		t.Errorf("go.mod still requires github.com/golang/protobuf:\n%s", gomod)
	}
	for _, f := range []string{"proto/orders/v1/orders_grpc.pb.go", "proto/legacy/v1/legacy_grpc.pb.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not generated: %v", f, err)
		}
	}
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "vet", "-tags=integration", "./...")
	goIn(t, dir, "test", "./...")
	refused := map[string]bool{}
	for _, f := range left {
		refused[f] = true
	}
	if left := deprecatedUses(t, dir, func(f string) bool { return !refused[f] }); len(left) > 0 {
		t.Errorf("staticcheck SA1019 still finds deprecated protobuf/gRPC uses:\n%s", strings.Join(left, "\n"))
	}
	// After a full migration nothing is left for a person: a second run
	// lists nothing and exits 0 (issue 10). gen.sh was brought in line
	// with the regenerated code, and no file imports golang/protobuf.
	if code, out, errOut := protolift(t, "-C", dir, "-l", "./..."); out != "" || code != 0 {
		t.Errorf("second run: exit %d, want 0 with nothing listed:\n%s\n%s", code, out, errOut)
	}
	if len(left) > 0 || strings.Contains(string(gomod), "github.com/golang/protobuf") {
		t.Errorf("golang/protobuf still used after a full migration: %v", left)
	}
}
