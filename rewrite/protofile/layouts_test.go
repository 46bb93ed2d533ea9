package protofile

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
)

// copyLayout copies testdata/layouts/<name> (every file, go.mod and
// generated code included) into a temporary directory.
func copyLayout(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "layouts", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func newContent(t *testing.T, dir string, set *change.Set) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range set.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		out[filepath.ToSlash(rel)] = string(f.New)
	}
	return out
}

// TestGoPackageLayouts (issue 10, item 6): invalid go_package values are
// replaced by the full import path and the package name the existing
// generated code declares; an added go_package takes that name too; a
// GOPATH-style import of the module's own file resolves.
func TestGoPackageLayouts(t *testing.T) {
	dir := copyLayout(t, "gopkg")
	set, err := Run(context.Background(), Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range set.Diags {
		t.Errorf("unexpected diagnostic: %s", d.Format(d.Path))
	}
	got := newContent(t, dir, set)
	for file, want := range map[string]string{
		"a/a.proto": `option go_package = "github.com/org/repo/a;example";`,
		"b/b.proto": `option go_package = "github.com/org/repo/b;mwitkow_testproto";`,
		"c/c.proto": `option go_package = "github.com/org/repo/c;legacy";`,
	} {
		if !strings.Contains(got[file], want) {
			t.Errorf("%s lacks %s:\n%s", file, want, got[file])
		}
	}
	if len(got) != 3 {
		t.Errorf("changed %d files, want 3", len(got))
	}
	// Second run: nothing left to do.
	overlay := map[string][]byte{}
	for _, f := range set.Files {
		overlay[f.Path] = f.New
	}
	again, err := Run(context.Background(), Options{ModuleDir: dir, Overlay: overlay})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 0 || len(again.Diags) != 0 {
		t.Errorf("second run: %d files, %d diagnostics", len(again.Files), len(again.Diags))
	}
}

// TestNameConflicts (issue 10, item 7): full names two files define are
// reported at both definitions, with the registration-conflict
// workaround and the real fix; in one directory (one Go package) they
// need a person.
func TestNameConflicts(t *testing.T) {
	dir := copyLayout(t, "conflict")
	set, err := Run(context.Background(), Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range set.Diags {
		if d.Rule != RuleConflict {
			t.Errorf("unexpected diagnostic: %s", d.Format(d.Path))
			continue
		}
		rel, _ := filepath.Rel(dir, d.Path)
		got = append(got, d.Format(filepath.ToSlash(rel)))
		if !strings.Contains(d.Suggestion, "GOLANG_PROTOBUF_REGISTRATION_CONFLICT=warn") || !strings.Contains(d.Suggestion, "own proto package") {
			t.Errorf("suggestion lacks the workaround or the fix: %s", d.Suggestion)
		}
	}
	want := []string{
		`a/ping.proto:7:9: proto.conflict: pkg.PingRequest (and 2 more: pkg.Status, pkg.UNKNOWN) is also defined in ../b/ping.proto`,
		`b/ping.proto:7:9: proto.conflict: pkg.PingRequest (and 2 more: pkg.Status, pkg.UNKNOWN) is also defined in ../a/ping.proto`,
		`c/one.proto:9:9: proto.conflict: same.Echo is also defined in two.proto`,
		`c/two.proto:9:9: proto.conflict: same.Echo is also defined in one.proto`,
	}
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got  %s\nwant %s…", got[i], want[i])
		}
	}
	for _, d := range set.Diags {
		wantRisk := change.Review
		if strings.Contains(d.Path, string(filepath.Separator)+"c"+string(filepath.Separator)) {
			wantRisk = change.Manual
		}
		if d.Risk != wantRisk {
			t.Errorf("%s: risk %s, want %s", d.Path, d.Risk, wantRisk)
		}
	}
}

// TestUnparsableReported (issue 10, item 9): a syntax error is what the
// CLI stops on; a semantic error is not.
func TestUnparsableReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/x\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.proto"), []byte("syntax = \"proto3\";\nmessage M {\n  string x = 1\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sem.proto"), []byte("syntax = \"proto3\";\noption go_package = \"example.com/x\";\nmessage N {\n  Missing x = 1;\n}\n"), 0o644)
	set, err := Run(context.Background(), Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	bad := Unparsable(set)
	if len(bad) != 1 || filepath.Base(bad[0].Path) != "bad.proto" || bad[0].Start.Line != 4 {
		t.Errorf("Unparsable = %v, want one syntax error at bad.proto:4", bad)
	}
}

// TestSchemaOnly (issue 10, item 10): without go.mod the stage still runs:
// reserved statements are fixed, and go_package comes from buf managed
// mode's prefix (under the buf module's root); without a prefix none is
// added.
func TestSchemaOnly(t *testing.T) {
	dir := copyLayout(t, "schema")
	set, err := Run(context.Background(), Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := newContent(t, dir, set)["proto/acme/v1/weather.proto"]
	for _, w := range []string{`reserved "old_city";`, `option go_package = "github.com/acme/apis/gen/go/acme/v1;acmev1";`} {
		if !strings.Contains(got, w) {
			t.Errorf("weather.proto lacks %s:\n%s", w, got)
		}
	}
	if err := os.Remove(filepath.Join(dir, "buf.gen.yaml")); err != nil {
		t.Fatal(err)
	}
	set, err = Run(context.Background(), Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got = newContent(t, dir, set)["proto/acme/v1/weather.proto"]
	if !strings.Contains(got, `reserved "old_city";`) || strings.Contains(got, "go_package") {
		t.Errorf("without a prefix: want the reserved fix and no go_package:\n%s", got)
	}
	set, err = Run(context.Background(), Options{ModuleDir: dir, GoPackagePrefix: "example.com/apis"})
	if err != nil {
		t.Fatal(err)
	}
	if got := newContent(t, dir, set)["proto/acme/v1/weather.proto"]; !strings.Contains(got, `option go_package = "example.com/apis/proto/acme/v1;acmev1";`) {
		t.Errorf("with -go-package-prefix:\n%s", got)
	}
}
