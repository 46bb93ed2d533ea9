package editions

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// bufBinary returns the buf pinned in tools/buf, built once into the user
// cache (a cold build takes minutes; later runs reuse it).
func bufBinary(t *testing.T) string {
	t.Helper()
	modDir, err := filepath.Abs(filepath.Join("..", "..", "..", "tools", "buf"))
	if err != nil {
		t.Fatal(err)
	}
	gm, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := modfile.ParseLax("go.mod", gm, nil)
	if err != nil {
		t.Fatal(err)
	}
	version := ""
	for _, r := range mf.Require {
		if r.Mod.Path == "github.com/bufbuild/buf" {
			version = r.Mod.Version
		}
	}
	if version == "" {
		t.Fatalf("%s/go.mod does not require github.com/bufbuild/buf", modDir)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "protolift", "bin", "buf@"+version)
	final := filepath.Join(dir, "buf")
	if _, err := os.Stat(final); err == nil {
		return final
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".buf-"+strings.TrimPrefix(t.Name(), "Test"))
	cmd := exec.Command("go", "build", "-o", tmp, "github.com/bufbuild/buf/cmd/buf")
	cmd.Dir = modDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building buf %s in %s: %v\n%s", version, modDir, err, out)
	}
	// Rename is atomic: a concurrent test sees either no binary or all of it.
	if err := os.Rename(tmp, final); err != nil {
		t.Fatal(err)
	}
	return final
}

// bufBuild compiles the given files (relative path → content) as one buf
// module and fails the test with buf's message if they do not compile.
func bufBuild(t *testing.T, files map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	for rel, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "buf.yaml"), []byte("version: v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bufBinary(t), "build", dir)
	cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("buf build failed: %v\n%s", err, out)
	}
}

// TestGoldenOutputsCompileWithBuf compiles every converted golden file
// with buf, a second compiler independent of the one the converter uses.
func TestGoldenOutputsCompileWithBuf(t *testing.T) {
	files := map[string][]byte{}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "convert", "*.golden"))
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimSuffix(filepath.Base(g), ".golden")+".proto"] = b
	}
	deps, _ := filepath.Glob(filepath.Join("testdata", "convert", "dep", "*.proto"))
	for _, d := range deps {
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		files["dep/"+filepath.Base(d)] = b
	}
	if len(files) < 10 {
		t.Fatalf("only %d golden outputs", len(files))
	}
	bufBuild(t, files)
}
