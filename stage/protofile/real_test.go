package protofile

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

	"github.com/protolift/protolift/internal/change"
)

// copyModuleProtos copies every .proto file of a module from the module
// cache into a fresh directory that is a module of the same path.
func copyModuleProtos(t *testing.T, modPath string) string {
	t.Helper()
	src, err := toolbin.ModuleDir(context.Background(), modPath, map[string]string{"google.golang.org/protobuf": toolbin.GoVersion, "google.golang.org/grpc": toolbin.GRPCVersion}[modPath])
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		q := filepath.Join(dst, rel)
		os.MkdirAll(filepath.Dir(q), 0o755)
		return os.WriteFile(q, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dst, "go.mod"), []byte("module "+modPath+"\n"), 0o644)
	return dst
}

// TestRealModulesToEditions converts the .proto files shipped with
// grpc-go and protobuf-go (files not written for these tests): a file is
// converted only when the equivalence proof passes; buf must compile every
// converted file and a second run must change nothing. Two protobuf-go
// files are refused today: test3/test_extension.proto (the proof finds a
// UTF-8 validation difference on proto3 string extensions of a proto2
// message) and textpb2/test.proto (MessageSet cannot be proven).
func TestRealModulesToEditions(t *testing.T) {
	if testing.Short() {
		t.Skip("short: downloads grpc-go and protobuf-go and builds with buf")
	}
	for _, tc := range []struct {
		mod     string
		atLeast int
	}{
		{"google.golang.org/grpc", 7},
		{"google.golang.org/protobuf", 36},
	} {
		t.Run(tc.mod, func(t *testing.T) {
			dir := copyModuleProtos(t, tc.mod)
			set, err := Run(context.Background(), Options{ModuleDir: dir, Edition: "2023"})
			if err != nil {
				t.Fatal(err)
			}
			converted := 0
			var paths []string
			for _, f := range set.Files {
				checkOutsideEdits(t, f)
				if !bytes.Contains(f.New, []byte(`edition = "2023";`)) {
					t.Errorf("%s changed but not converted", f.Path)
					continue
				}
				converted++
				if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(dir, f.Path)
				paths = append(paths, filepath.ToSlash(rel))
			}
			for _, d := range set.Diags {
				if d.Risk == change.Manual {
					t.Logf("refused: %s", d.Format(d.Path))
				}
			}
			t.Logf("%s: %d files converted", tc.mod, converted)
			if converted < tc.atLeast {
				t.Errorf("converted %d files, want at least %d", converted, tc.atLeast)
			}
			bufBuildPaths(t, dir, paths)
			again, err := Run(context.Background(), Options{ModuleDir: dir, Edition: "2023"})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range again.Files {
				t.Errorf("second run changed %s", f.Path)
			}
		})
	}
}

// bufBuildPaths compiles the named files of dir (and their imports) with
// buf; other files of the tree are not part of the build, because the
// module cache trees hold deliberately conflicting test copies.
func bufBuildPaths(t *testing.T, dir string, paths []string) {
	t.Helper()
	if len(paths) == 0 {
		return
	}
	os.WriteFile(filepath.Join(dir, "buf.yaml"), []byte("version: v2\n"), 0o644)
	args := []string{"build", dir}
	for _, p := range paths {
		args = append(args, "--path", filepath.Join(dir, filepath.FromSlash(p)))
	}
	cmd := exec.Command(bufBinary(t), args...)
	cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("buf build of converted files failed: %v\n%s", err, out)
	}
}
