package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// measureChurn on a real git repository: a hunk a rule edit covers and an
// import change are not churn; a reflowed comment nobody asked for is; a
// helper body added to two files of one package is a duplicate.
func TestMeasureChurn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile("go.mod", "module m\n")
	writeFile("a.go", `package m

import "old/proto"

func A() { proto.Old() }

// Doc says
// something.
func B() {}
`)
	writeFile("b.go", "package m\n\nfunc C() {}\n")
	if err := gitCommit(ctx, dir); err != nil {
		t.Fatal(err)
	}
	writeFile("a.go", `package m

import "new/proto"

func A() { proto.New() }

// Doc says something.
func B() {}

func helper() int { return 1 }
`)
	writeFile("b.go", "package m\n\nfunc C() {}\n\nfunc helper2() int { return 1 }\n")
	if r := git(ctx, dir, "add", "-A"); !r.ok() {
		t.Fatal(r.combined())
	}
	rep := parseReport(`{"files": [
		{"file": "` + filepath.Join(dir, "a.go") + `", "changes": [{"rule": "r", "start": {"line": 5}, "end": {"line": 5}}, {"rule": "h", "start": {"line": 10}, "end": {"line": 10}}]},
		{"file": "b.go", "changes": [{"rule": "h", "start": {"line": 3}, "end": {"line": 3}}]}
	]}`)
	if rep == nil {
		t.Fatal("report does not parse")
	}
	c := measureChurn(ctx, dir, rep)
	if c.Hunks != 5 || c.ChurnHunks != 1 || len(c.ChurnSites) != 1 || c.ChurnSites[0] != "a.go:7" {
		t.Errorf("hunks %d, churn %d at %v; want 5 hunks, 1 churn at a.go:7", c.Hunks, c.ChurnHunks, c.ChurnSites)
	}
	if len(c.DupHelpers) != 1 || c.DupHelpers[0] != ".: a.go: helper, b.go: helper2" {
		t.Errorf("duplicate helpers %q", c.DupHelpers)
	}
}
