package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// tinyModule writes a module with one package and one passing test.
func tinyModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":      "module example.com/tiny\n\ngo 1.21\n",
		"add.go":      "package tiny\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n",
		"add_test.go": "package tiny\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal(\"Add(2, 3) != 5\")\n\t}\n}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newHarness(t *testing.T, bin string) *Harness {
	return &Harness{Protolift: bin, TmpRoot: t.TempDir(), TestTimeout: time.Minute, StepTimeout: 5 * time.Minute, Log: t.Logf}
}

// fakeProtolift is a stand-in whose -w breaks the test, adds a vet finding,
// and prints diagnostics; its -l prints nothing.
const fakeProtolift = `#!/bin/sh
case "$1" in
-w)
	sed -i 's/a + b/a - b/' add.go
	printf 'package tiny\n\nimport "fmt"\n\nfunc P() { fmt.Printf("%%d\\n", "x") }\n' > p.go
	echo 'add.go:3:1: fake.rule: rewrote it' >&2
	echo 'add.go:4:1: fake.rule: again' >&2
	echo '	suggestion: not a diagnostic' >&2
	echo 'go.mod:1:1: other.rule: a note' >&2
	exit 1;;
-l)
	exit 0;;
esac
exit 2
`

func TestHarnessFindsRegressions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command and git")
	}
	bin := filepath.Join(t.TempDir(), "protolift")
	if err := os.WriteFile(bin, []byte(fakeProtolift), 0o755); err != nil {
		t.Fatal(err)
	}
	r := newHarness(t, bin).Run(context.Background(), Entry{Dir: tinyModule(t)})
	if r.Error != "" || r.Broken != "" {
		t.Fatalf("error %q, broken %q", r.Error, r.Broken)
	}
	if got := r.Baseline.State.Tests; !reflect.DeepEqual(got, map[string]string{"example.com/tiny": "pass"}) {
		t.Errorf("baseline tests = %v", got)
	}
	if r.Run.Exit != 1 || !reflect.DeepEqual(r.Run.ByRule, map[string]int{"fake.rule": 2, "other.rule": 1}) || r.Run.Diagnostics != 3 {
		t.Errorf("run = exit %d, by rule %v", r.Run.Exit, r.Run.ByRule)
	}
	if r.Run.FilesChanged != 2 || !reflect.DeepEqual(r.Run.Changed, []string{"add.go", "p.go"}) || r.Run.LinesAdded != 6 || r.Run.LinesDeleted != 1 {
		t.Errorf("changes = %d files %v, +%d -%d", r.Run.FilesChanged, r.Run.Changed, r.Run.LinesAdded, r.Run.LinesDeleted)
	}
	if r.Run.MaxRSSKB <= 0 || r.Run.WallSeconds <= 0 {
		t.Errorf("no measurements: rss %d wall %v", r.Run.MaxRSSKB, r.Run.WallSeconds)
	}
	g := r.Regress
	if g.BuildBad || !reflect.DeepEqual(g.Tests, []string{"example.com/tiny"}) || len(g.Vet) != 1 || !strings.HasPrefix(g.Vet[0], "p.go: fmt.Printf format %d") {
		t.Errorf("regressions = %+v", g)
	}
	// No protobuf module raised: the control is the baseline, and the
	// regression is the rewrite's without running anything.
	if c := r.Control; c == nil || len(c.Raised) != 0 || len(c.Steps) != 0 || !reflect.DeepEqual(c.Class, map[string]string{"example.com/tiny": ClassRewrite}) {
		t.Errorf("control = %+v", r.Control)
	}
	if !r.Relist.Idempotent || !r.Regressed() {
		t.Errorf("idempotent %v, regressed %v", r.Relist.Idempotent, r.Regressed())
	}
	if r.WorkDir != "" {
		t.Errorf("work dir %s kept without -keep", r.WorkDir)
	}
}

func TestHarnessBrokenBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := tinyModule(t)
	if err := os.WriteFile(filepath.Join(dir, "bad.go"), []byte("package tiny\n\nvar X = undefinedName\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newHarness(t, "/nonexistent/protolift").Run(context.Background(), Entry{Dir: dir})
	if !strings.Contains(r.Broken, "bad.go:3:9: undefined: undefinedName") || r.Run != nil || r.Regressed() {
		t.Errorf("broken %q, run %v, regressed %v", r.Broken, r.Run, r.Regressed())
	}
}

// TestHarnessRealProtolift runs the whole cycle with protolift built from
// this repository on a module that needs nothing: no change, no regression,
// and a second run that prints nothing.
func TestHarnessRealProtolift(t *testing.T) {
	if testing.Short() {
		t.Skip("builds protolift and runs the go command")
	}
	bin := filepath.Join(t.TempDir(), "protolift")
	build := exec.Command("go", "build", "-o", bin, "./cmd/protolift")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building protolift: %v\n%s", err, out)
	}
	h := newHarness(t, bin)
	h.Keep = true
	r := h.Run(context.Background(), Entry{Dir: tinyModule(t)})
	if r.Error != "" || r.Broken != "" || r.Regressed() {
		t.Fatalf("error %q, broken %q, regressed %v: %+v %+v", r.Error, r.Broken, r.Regressed(), r.Run, r.Regress)
	}
	if r.Run.Exit != 0 || r.Run.FilesChanged != 0 || !r.Relist.Idempotent || len(r.V1After) != 0 || r.GoModV1After || r.Control != nil {
		t.Errorf("run %+v, relist %+v, control %+v", r.Run, r.Relist, r.Control)
	}
	if _, err := os.Stat(filepath.Join(r.WorkDir, "src", ".git")); err != nil {
		t.Errorf("-keep: %v", err)
	}
}
