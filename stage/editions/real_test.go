package editions

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/toolbin"
)

// realProtos lists the .proto files a module ships in the module cache.
func realProtos(t *testing.T, mod string) (string, []string) {
	t.Helper()
	root, err := toolbin.ModuleDir(context.Background(), mod, map[string]string{"google.golang.org/protobuf": toolbin.GoVersion, "google.golang.org/grpc": toolbin.GRPCVersion}[mod])
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".proto") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return root, files
}

// refusalReasons are the only reasons a real file may stay unconverted.
var refusalReasons = []string{
	"the Go runtime checks UTF-8 in proto3 extensions but never in extensions declared in an editions file",
	"is a MessageSet, which is a legacy proto1 feature that is no longer supported",
	// google/protobuf/go_features.proto itself: the Go feature it needs is
	// the file being converted.
	`symbol "pb.GoFeatures" already defined`,
}

// TestRealFiles converts the .proto files shipped with protobuf-go and
// grpc-go (written by others, not for these tests) and proves each
// conversion; every file left alone must be an editions file or carry one
// of the known refusal reasons.
func TestRealFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("short: downloads grpc-go and protobuf-go and builds with buf")
	}
	total := 0
	converted := map[string]map[string][]byte{} // include root → name → converted content
	for _, tc := range []struct {
		mod     string
		atLeast int
	}{
		{"google.golang.org/protobuf", 70},
		{"google.golang.org/grpc", 10},
	} {
		var proven, already, refused int
		modRoot, files := realProtos(t, tc.mod)
		for _, p := range files {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out, diags, err := Options{}.ConvertProven(context.Background(), p, src, "2023")
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			if bytes.Equal(out, src) {
				if len(diags) == 0 {
					already++
					continue
				}
				refused++
				text := formatDiags(diags)
				known := false
				for _, r := range refusalReasons {
					known = known || strings.Contains(text, r)
				}
				if !known {
					t.Errorf("%s refused for an unexpected reason:\n%s", p, text)
				}
				continue
			}
			if !bytes.Contains(out, []byte(`edition = "2023";`)) {
				t.Errorf("%s: changed but not converted", p)
			}
			again, d2, err := Convert(p, out, "2023")
			if err != nil || !bytes.Equal(again, out) || len(d2) > 0 {
				t.Errorf("%s: second conversion is not a no-op", p)
			}
			proven++
			// One buf run per include root: the module root serves every
			// file whose imports all resolve under it.
			roots, name := Options{ImportPaths: []string{modRoot}}.roots(p, src)
			root := roots[0].Dir
			if name != filepath.ToSlash(strings.TrimPrefix(p, modRoot+string(filepath.Separator))) {
				// Some import does not resolve under the module root.
				roots, name = Options{}.roots(p, src)
				root = roots[0].Dir
			}
			if converted[root] == nil {
				converted[root] = map[string][]byte{}
			}
			converted[root][name] = out
		}
		t.Logf("%s: %d converted and proven, %d already editions, %d refused", tc.mod, proven, already, refused)
		if proven < tc.atLeast {
			t.Errorf("%s: %d files converted and proven, want at least %d", tc.mod, proven, tc.atLeast)
		}
		total += proven
	}
	t.Logf("total converted and proven: %d", total)
	t.Logf("buf builds: %d include roots", len(converted))
	for root, files := range converted {
		bufBuildUnder(t, root, files)
	}
}

// bufBuildUnder copies the .proto tree of root, replaces the converted
// files and has buf compile just those (and what they import): the module
// cache trees also hold deliberately conflicting test files.
func bufBuildUnder(t *testing.T, root string, converted map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if c, ok := converted[filepath.ToSlash(rel)]; ok {
			b = c
		}
		q := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(q), 0o755); err != nil {
			return err
		}
		return os.WriteFile(q, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "buf.yaml"), []byte("version: v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", dir}
	for name := range converted {
		args = append(args, "--path", filepath.Join(dir, filepath.FromSlash(name)))
	}
	cmd := exec.Command(bufBinary(t), args...)
	cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("buf build of %d converted files under %s failed: %v\n%s", len(converted), root, err, out)
	}
}
