package editions

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/toolbin"
)

// bufBinary returns the buf pinned in tools/buf, built once into the user
// cache by internal/toolbin (CI prebuilds it).
func bufBinary(t *testing.T) string {
	t.Helper()
	path, err := toolbin.Buf(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return path
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
	if testing.Short() {
		t.Skip("short: builds buf")
	}
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
