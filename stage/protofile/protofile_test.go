package protofile

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/toolbin"

	"github.com/protolift/protolift/internal/change"
)

var update = flag.Bool("update", false, "rewrite the .golden files from the current output")

// caseOptions is the optional options.json of a golden directory.
type caseOptions struct {
	Edition         string
	GoPackagePrefix string
	GoPackageMap    map[string]string
}

// copyCase copies a testdata directory into a fresh module.
func copyCase(t *testing.T, dir string) string {
	t.Helper()
	tmp := t.TempDir()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module example.com/golden\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return tmp
}

func runCase(t *testing.T, mod string, copts caseOptions, overlay map[string][]byte) *change.Set {
	t.Helper()
	set, err := Run(context.Background(), Options{ModuleDir: mod, Overlay: overlay, Edition: copts.Edition,
		GoPackagePrefix: copts.GoPackagePrefix, GoPackageMap: copts.GoPackageMap})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// outputs returns every .proto file's content after the run, by relative path.
func outputs(t *testing.T, mod string, set *change.Set) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(mod, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".proto") {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(mod, p)
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	for _, f := range set.Files {
		rel, _ := filepath.Rel(mod, f.Path)
		out[filepath.ToSlash(rel)] = f.New
	}
	return out
}

func diagText(mod string, diags []change.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		rel, _ := filepath.Rel(mod, d.Path)
		fmt.Fprintf(&b, "%s [%s]\n", d.Format(filepath.ToSlash(rel)), d.Risk)
	}
	return b.String()
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// checkOutsideEdits verifies that every byte of Old outside the recorded
// edit spans appears unchanged, in order, in New.
func checkOutsideEdits(t *testing.T, f *change.File) {
	t.Helper()
	edits := append([]change.Edit(nil), f.Edits...)
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start.Offset < edits[j].Start.Offset })
	oldPos, newPos := 0, 0
	for i, e := range edits {
		if e.Start.Offset < oldPos {
			// Inside a wider edit (the editions conversion spans the
			// region it touched).
			oldPos = max(oldPos, e.End.Offset)
			continue
		}
		seg := f.Old[oldPos:e.Start.Offset]
		if i == 0 {
			if !bytes.HasPrefix(f.New, seg) {
				t.Errorf("%s: bytes before the first edit changed", f.Path)
				return
			}
			newPos = len(seg)
		} else {
			k := bytes.Index(f.New[newPos:], seg)
			if k < 0 {
				t.Errorf("%s: unedited bytes %q (offset %d) missing from the new content", f.Path, seg, oldPos)
				return
			}
			newPos += k + len(seg)
		}
		oldPos = max(oldPos, e.End.Offset)
	}
	if !bytes.HasSuffix(f.New[newPos:], f.Old[oldPos:]) {
		t.Errorf("%s: bytes after the last edit changed", f.Path)
	}
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"golden", "gopkg", "edition"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("testdata", name)
			var copts caseOptions
			if b, err := os.ReadFile(filepath.Join(src, "options.json")); err == nil {
				if err := json.Unmarshal(b, &copts); err != nil {
					t.Fatal(err)
				}
			}
			mod := copyCase(t, src)
			set := runCase(t, mod, copts, nil)
			outs := outputs(t, mod, set)
			for rel, b := range outs {
				checkGolden(t, filepath.Join(src, filepath.FromSlash(rel)+".golden"), b)
			}
			checkGolden(t, filepath.Join(src, "diagnostics.golden"), []byte(diagText(mod, set.Diags)))
			for _, f := range set.Files {
				checkOutsideEdits(t, f)
				if len(f.Edits) == 0 {
					t.Errorf("%s changed without an edit record", f.Path)
				}
			}

			// A second run over the output changes nothing and reports the
			// same findings (positions may move by the inserted lines).
			overlay := map[string][]byte{}
			for _, f := range set.Files {
				overlay[f.Path] = f.New
			}
			again := runCase(t, mod, copts, overlay)
			for _, f := range again.Files {
				t.Errorf("second run changed %s:\n%s", f.Path, f.New)
			}
			if len(again.Diags) != len(set.Diags) {
				t.Errorf("second run: %d diagnostics, first run %d:\n%s", len(again.Diags), len(set.Diags), diagText(mod, again.Diags))
			}

			// Files left without a manual finding must compile with buf.
			manual := map[string]bool{}
			for _, d := range set.Diags {
				if d.Risk == change.Manual {
					rel, _ := filepath.Rel(mod, d.Path)
					manual[filepath.ToSlash(rel)] = true
				}
			}
			compile := map[string][]byte{}
			for rel, b := range outs {
				if !manual[rel] {
					compile[rel] = b
				}
			}
			bufBuild(t, compile)
		})
	}
}

func TestUnparsableFileUntouched(t *testing.T) {
	mod := copyCase(t, filepath.Join("testdata", "golden"))
	p := filepath.Join(mod, "bad_parse.proto")
	set, err := Run(context.Background(), Options{ModuleDir: mod, Paths: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Files) != 0 {
		t.Fatalf("a file that does not parse was changed: %s", set.Files[0].New)
	}
	found := false
	for _, d := range set.Diags {
		if d.Rule == RuleParse && d.Risk == change.Manual && d.Start.Line == 8 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no parse error at line 8:\n%s", diagText(mod, set.Diags))
	}
}

func TestOverlayOnly(t *testing.T) {
	mod := t.TempDir()
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/ov\n"), 0o644)
	p := filepath.Join(mod, "x", "x.proto")
	set, err := Run(context.Background(), Options{ModuleDir: mod, Overlay: map[string][]byte{
		p: []byte("syntax = \"proto3\";\npackage x;\nmessage X { reserved 1, \"a\"; }\n"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "syntax = \"proto3\";\npackage x;\n\noption go_package = \"example.com/ov/x;x\";\nmessage X { reserved 1;\nreserved \"a\"; }\n"
	if len(set.Files) != 1 || string(set.Files[0].New) != want {
		for _, f := range set.Files {
			t.Errorf("got:\n%s", f.New)
		}
		t.Fatalf("want:\n%s", want)
	}
	if _, err := os.Stat(p); err == nil {
		t.Fatal("the stage wrote a file")
	}
}

// bufBuild compiles files (relative path → content) as one buf module.
func bufBuild(t *testing.T, files map[string][]byte) {
	t.Helper()
	if len(files) == 0 {
		return
	}
	if testing.Short() {
		t.Log("short: the outputs are not built with buf")
		return
	}
	buf := bufBinary(t)
	dir := t.TempDir()
	for rel, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "buf.yaml"), []byte("version: v2\n"), 0o644)
	cmd := exec.Command(buf, "build", dir)
	cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("buf build of the stage's output failed: %v\n%s", err, out)
	}
}

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

func TestGoPackagePrefixAndExplicitPaths(t *testing.T) {
	mod := t.TempDir()
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n"), 0o644)
	for _, rel := range []string{"a/v2/a.proto", "b/b.proto"} {
		p := filepath.Join(mod, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("syntax = \"proto3\";\n\npackage x;\n"), 0o644)
	}
	set, err := Run(context.Background(), Options{ModuleDir: mod, Paths: []string{"a/v2/a.proto"}, GoPackagePrefix: "example.com/gen/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Files) != 1 {
		t.Fatalf("want only the named file changed, got %d files", len(set.Files))
	}
	want := "syntax = \"proto3\";\n\npackage x;\n\noption go_package = \"example.com/gen/a/v2;av2\";\n"
	if got := string(set.Files[0].New); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCanceled(t *testing.T) {
	mod := copyCase(t, filepath.Join("testdata", "golden"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{ModuleDir: mod}); err == nil {
		t.Fatal("a canceled run returned no error")
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := Run(context.Background(), Options{}); err == nil {
		t.Fatal("no error without a module directory")
	}
	mod := copyCase(t, filepath.Join("testdata", "golden"))
	if _, err := Run(context.Background(), Options{ModuleDir: mod, Edition: "2024"}); err == nil || !strings.Contains(err.Error(), "2023") {
		t.Fatalf("edition 2024: got %v, want an error naming the supported edition", err)
	}
	if _, err := Run(context.Background(), Options{ModuleDir: mod, Paths: []string{"nope.proto"}}); err == nil {
		t.Fatal("no error for a path that does not exist")
	}
}
