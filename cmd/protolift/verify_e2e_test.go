package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Regeneration that removes what hand-written code uses (here
// XXX_unrecognized, gone from current protoc-gen-go output) is withdrawn
// for that package, reported, and the rest of the migration is kept; the
// run never blames the user for its own stage (issue: "packages do not
// build; fix these errors first" on a module that built).
func TestFullRunWithdrawsBreakingRegeneration(t *testing.T) {
	if testing.Short() {
		t.Skip("full pipeline on a copy of legacyapp; runs without -short")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	write(t, filepath.Join(dir, "internal", "server", "unknown_test.go"), []byte(`package server

import (
	"testing"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

func TestNoUnknownBytes(t *testing.T) {
	if m := (&orderspb.Money{}); len(m.XXX_unrecognized) != 0 {
		t.Fatal("unexpected unknown bytes")
	}
}
`))
	oldGen, _ := os.ReadFile(filepath.Join(dir, "proto", "orders", "v1", "orders.pb.go"))
	code, _, errOut := protolift(t, "-C", dir, "-w", "./...")
	if code == exitError {
		t.Fatalf("protolift -w: exit 2\n%s", errOut)
	}
	if !strings.Contains(errOut, "orders.pb.go:1:1: gen.regenerate: not regenerated: the regenerated code breaks code that uses it: m.XXX_unrecognized undefined") {
		t.Errorf("no report of the withdrawn regeneration:\n%s", errOut)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "proto", "orders", "v1", "orders.pb.go")); string(now) != string(oldGen) {
		t.Error("orders.pb.go was regenerated although its users need XXX_unrecognized")
	}
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "vet", "-tags=integration", "./...")
	goIn(t, dir, "test", "./...")
}

// A package subset migrates only those packages, but regeneration and
// go.mod are module-wide: whatever the subset run writes must leave the
// whole module building (servers outside the subset that would miss
// mustEmbedUnimplemented… keep their old generated code).
func TestSubsetPatternKeepsModuleBuilding(t *testing.T) {
	if testing.Short() {
		t.Skip("full pipeline on a copy of legacyapp; runs without -short")
	}
	dir := copyTree(t, filepath.Join("..", "..", "testdata", "legacyapp"))
	code, _, errOut := protolift(t, "-C", dir, "-w", "./client/...")
	if code == exitError {
		t.Fatalf("protolift -w ./client/...: exit 2\n%s", errOut)
	}
	t.Logf("findings:\n%s", errOut)
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "vet", "./...")
	goIn(t, dir, "vet", "-tags=integration", "./...")
	goIn(t, dir, "test", "./...")
}
