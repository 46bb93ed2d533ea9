package verify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Errors in overlaid files are reported at the original file (the
// compiler names the replacement), test files included, and New keeps
// only what the baseline did not have.
func TestCheckOverlayAndNew(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo 1.21\n")
	writeFile(t, filepath.Join(dir, "a", "a.go"), "package a\n\nfunc A() int { return 1 }\n\nvar Old = undefinedBefore\n")
	writeFile(t, filepath.Join(dir, "a", "a_test.go"), "package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { _ = A() }\n")
	writeFile(t, filepath.Join(dir, "b", "b.go"), "package b\n\nimport \"example.com/m/a\"\n\nvar B = a.A()\n")
	ctx := context.Background()
	base, err := Check(ctx, Config{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != 1 || base[0].Msg != "undefined: undefinedBefore" || base[0].File != filepath.Join(dir, "a", "a.go") {
		t.Fatalf("baseline: %v", base)
	}
	got, err := Check(ctx, Config{ModuleDir: dir, Overlay: map[string][]byte{
		filepath.Join(dir, "a", "a.go"):      []byte("package a\n\nfunc A() string { return \"\" }\n\nvar Old = undefinedBefore\n"),
		filepath.Join(dir, "a", "a_test.go"): []byte("package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { var n int = A(); _ = n }\n"),
		filepath.Join(dir, "c", "c.go"):      []byte("package c\n\nimport _ \"example.com/m/nosuch\"\n"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	news := New(base, got)
	want := map[string]bool{
		filepath.Join(dir, "a", "a_test.go"): false,
		filepath.Join(dir, "c", "c.go"):      false,
	}
	for _, p := range news {
		if _, ok := want[p.File]; ok {
			want[p.File] = true
		}
		if p.Msg == "undefined: undefinedBefore" {
			t.Errorf("baseline error reported as new: %v", p)
		}
	}
	for f, ok := range want {
		if !ok {
			t.Errorf("no new problem in %s; got %v", f, news)
		}
	}
}

func TestSplitPos(t *testing.T) {
	f, l, c := splitPos("x/y.go:12:3", "/m")
	if f != "/m/x/y.go" || l != 12 || c != 3 {
		t.Errorf("got %s %d %d", f, l, c)
	}
	if pos, msg, ok := cutPos("./a.go:1:2: undefined: x"); !ok || pos != "./a.go:1:2" || msg != "undefined: x" {
		t.Errorf("cutPos: %q %q %v", pos, msg, ok)
	}
}

// A dependency outside the module that stops compiling (grpc v1.82 over
// the old monolithic genproto, in mwitkow/grpc-proxy) is a problem of
// every package that imports it, naming the dependency's package.
func TestCheckBrokenDependency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "m")
	dep := filepath.Join(root, "dep")
	writeFile(t, filepath.Join(dep, "go.mod"), "module example.com/dep\n\ngo 1.21\n")
	writeFile(t, filepath.Join(dep, "dep.go"), "package dep\n\nfunc D() int { return 1 }\n")
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo 1.21\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n")
	writeFile(t, filepath.Join(dir, "a", "a.go"), "package a\n\nimport \"example.com/dep\"\n\nvar A = dep.D()\n")
	got, err := Check(context.Background(), Config{ModuleDir: dir, Overlay: map[string][]byte{
		filepath.Join(dep, "dep.go"): []byte("package dep\n\nfunc D() int { return \"\" }\n"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Pkg != "example.com/m/a" || got[0].File != "" ||
		got[0].Msg[:len("dependency package example.com/dep does not compile: ")] != "dependency package example.com/dep does not compile: " {
		t.Fatalf("got %v", got)
	}
}

// go vet runs with the check's overlay: a finding in an overlaid file is
// reported at the original file, with its analyzer; a finding the
// baseline already had (same package, file, analyzer and message, at a
// line the change moved) is not new; a package vet cannot analyze
// (it does not type-check) is listed as failed, not as clean.
func TestVetOverlayAndNew(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo 1.21\n")
	lock := "package a\n\nimport \"sync\"\n\n// T holds a lock, as an APIv2 message does.\ntype T struct{ mu sync.Mutex }\n\n"
	old := lock + "func Old(a, b *T) { *a = *b }\n"
	writeFile(t, filepath.Join(dir, "a", "a.go"), old)
	writeFile(t, filepath.Join(dir, "a", "a_test.go"), "package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { Old(&T{}, &T{}) }\n")
	writeFile(t, filepath.Join(dir, "b", "b.go"), "package b\n\nvar B int = \"\"\n")
	ctx := context.Background()
	base, err := Vet(ctx, Config{ModuleDir: dir}, DefaultAnalyzers)
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Problems) != 1 || base.Problems[0].Analyzer != "copylocks" || base.Problems[0].Line != 8 {
		t.Fatalf("baseline: %v", base.Problems)
	}
	if !base.Failed["example.com/m/b"] {
		t.Errorf("b does not type-check, want it failed: %v", base.Failed)
	}
	// The same copy two lines lower, and a new one in a test file.
	ov := map[string][]byte{
		filepath.Join(dir, "a", "a.go"):      []byte(lock + "// moved\n\n" + "func Old(a, b *T) { *a = *b }\n"),
		filepath.Join(dir, "a", "a_test.go"): []byte("package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { x := T{}; y := x; t.Log(&y) }\n"),
	}
	// Twice: the second run replays the first one's cached result, which
	// names the first run's overlay files.
	for range 2 {
		got, err := Vet(ctx, Config{ModuleDir: dir, Overlay: ov}, DefaultAnalyzers)
		if err != nil {
			t.Fatal(err)
		}
		news := New(base.Problems, got.Problems)
		if len(news) != 1 {
			t.Fatalf("new findings: %v (all: %v)", news, got.Problems)
		}
		n := news[0]
		if n.File != filepath.Join(dir, "a", "a_test.go") || n.Dir != filepath.Join(dir, "a") || n.Pkg != "example.com/m/a" ||
			n.Analyzer != "copylocks" || n.Line != 5 || n.Msg != "assignment copies lock value to y: example.com/m/a.T contains sync.Mutex" {
			t.Errorf("new finding: %+v", n)
		}
	}
	// Once written, the user's own go vet names the real files, not the
	// gate's overlay (whose cached results it must not replay).
	for f, content := range ov {
		writeFile(t, f, string(content))
	}
	cmd := exec.Command("go", "vet", "-json", "./a")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "protolift-verify-overlay-") || !strings.Contains(string(out), "a_test.go:5:") {
		t.Errorf("go vet after the write:\n%s", out)
	}
}
