package protows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mapReader(m map[string][]byte) Reader {
	return func(p string) ([]byte, error) {
		if b, ok := m[p]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
}

func TestBufRoots(t *testing.T) {
	base := t.TempDir()
	rd := map[string][]byte{
		filepath.Join(base, "buf.work.yaml"):     []byte("version: v1\ndirectories:\n  - proto\n  - \"third_party\" # vendored\n"),
		filepath.Join(base, "proto", "buf.yaml"): []byte("version: v1\nlint:\n  use:\n    - DEFAULT\n"),
		filepath.Join(base, "svc", "buf.yaml"):   []byte("version: v2\nmodules:\n  - path: api\n    name: buf.build/acme/api\n  - path: 'vendor/protos'\nlint:\n  use: [STANDARD]\n"),
		filepath.Join(base, "old", "buf.yaml"):   []byte("version: v1beta1\nbuild:\n  roots:\n    - src\n"),
		filepath.Join(base, "solo", "buf.yaml"):  []byte("version: v1\n"),
		filepath.Join(base, "buf.gen.yaml"):      []byte("version: v2\nplugins:\n  - local: protoc-gen-go\n    out: gen\ninputs:\n  - directory: schemas\n  - module: buf.build/acme/x\n"),
	}
	var files []string
	for p := range rd {
		files = append(files, p)
	}
	got := bufRoots(files, mapReader(rd))
	for i := range got {
		got[i], _ = filepath.Rel(base, got[i])
		got[i] = filepath.ToSlash(got[i])
	}
	gotSet := map[string]bool{}
	for _, g := range got {
		gotSet[g] = true
	}
	want := []string{"proto", "third_party", "svc/api", "svc/vendor/protos", "old/src", "solo", "schemas"}
	for _, w := range want {
		if !gotSet[w] {
			t.Errorf("root %s missing; got %s", w, strings.Join(got, ", "))
		}
	}
	if len(got) != len(want) {
		t.Errorf("roots %s, want %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

// TestScriptRoots: the -I flags of a Makefile's protoc command are roots
// (issue 10, item 10a: -I third_party/googleapis was ignored).
func TestScriptRoots(t *testing.T) {
	base := t.TempDir()
	for _, d := range []string{"third_party/googleapis", "api", "proto", "svc/include", "svc/cinc"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mk := filepath.Join(base, "Makefile")
	sh := filepath.Join(base, "svc", "gen.sh")
	rd := map[string][]byte{
		mk: []byte("PROTOC_INC := -I third_party/googleapis\n# -I commented/out\ngen:\n\tprotoc -I. \\\n\t  --proto_path=$(CURDIR)/api -I$(GOPATH)/src --go_out=. api/x.proto\n"),
		sh: []byte("#!/bin/sh\ncc -I cinc -c x.c\nprotoc --proto_path include -I=../proto -I missing -I /usr/include x.proto\n"),
	}
	got := scriptRoots([]string{mk, sh}, mapReader(rd))
	for i := range got {
		got[i], _ = filepath.Rel(base, got[i])
		got[i] = filepath.ToSlash(got[i])
	}
	want := "third_party/googleapis . api svc/include proto"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("script roots %q, want %q", s, want)
	}
}

func TestManagedGoPackagePrefix(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"version: v1\nmanaged:\n  enabled: true\n  go_package_prefix:\n    default: github.com/acme/gen/go\n    except:\n      - buf.build/googleapis/googleapis\n", "github.com/acme/gen/go"},
		{"version: v2\nmanaged:\n  enabled: true\n  override:\n    - file_option: go_package_prefix\n      path: special\n      value: example.com/special\n    - file_option: go_package_prefix\n      value: example.com/acme/gen # all\n", "example.com/acme/gen"},
		{"version: v2\nplugins:\n  - local: protoc-gen-go\n    out: gen\n", ""},
	} {
		f := filepath.Join(t.TempDir(), "buf.gen.yaml")
		got := ManagedGoPackagePrefix([]string{f}, mapReader(map[string][]byte{f: []byte(tc.yaml)}))
		if got != tc.want {
			t.Errorf("prefix %q, want %q for\n%s", got, tc.want, tc.yaml)
		}
	}
}

func TestRootNames(t *testing.T) {
	r := Root{Dir: "/m", Prefix: "github.com/org/repo"}
	if p, ok := r.File("github.com/org/repo/internal/x/x.proto"); !ok || p != filepath.FromSlash("/m/internal/x/x.proto") {
		t.Errorf("File = %s, %v", p, ok)
	}
	if _, ok := r.File("other/x.proto"); ok {
		t.Error("a prefixed root resolved a name outside its prefix")
	}
	if n, ok := r.Name(filepath.FromSlash("/m/a/b.proto")); !ok || n != "github.com/org/repo/a/b.proto" {
		t.Errorf("Name = %s, %v", n, ok)
	}
}

// TestSourcesSkipsThirdParty: the module's own .proto files, under the
// one skip policy (SkipDir, third-party include trees, copies of Google's
// protos), with explicitly named directories walked.
func TestSourcesSkipsThirdParty(t *testing.T) {
	mod := t.TempDir()
	for _, rel := range []string{"go.mod", "a/a.proto", "vendor/v/v.proto", "testdata/t.proto", "third_party/x.proto",
		"include/google/protobuf/any.proto", "nested/go.mod", "nested/n.proto", ".hidden/h.proto", "web/node_modules/p/p.proto"} {
		p := filepath.Join(mod, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("module example.com/x\n"), 0o644)
	}
	ws := &Workspace{Dir: mod, Overlay: map[string][]byte{
		filepath.Join(mod, "b", "b.proto"):           nil,
		filepath.Join(mod, "third_party", "y.proto"): nil,
	}}
	got, err := ws.Sources(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(mod, "a", "a.proto"), filepath.Join(mod, "b", "b.proto")}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("selected %v, want a/a.proto and the overlay's b/b.proto", got)
	}
	got, err = ws.Sources([]string{"testdata"})
	if err != nil || len(got) != 1 {
		t.Fatalf("an explicit directory is walked even if its name is skipped by default: %v %v", got, err)
	}
	got, err = ws.Sources([]string{"include/google/protobuf"})
	if err != nil || len(got) != 1 {
		t.Fatalf("an explicit google/protobuf directory is walked: %v %v", got, err)
	}
	got, err = ws.Sources([]string{"third_party"})
	if err != nil || len(got) != 2 {
		t.Fatalf("an explicit third_party directory is walked, with its overlay files: %v %v", got, err)
	}
}

// TestWorkspaceRoots: a file under a declared root whose imports resolve
// there compiles under its name in that root; a file whose imports only
// resolve relative to its own directory gets that directory first.
func TestWorkspaceRoots(t *testing.T) {
	mod := t.TempDir()
	files := map[string]string{
		"proto/acme/v1/a.proto": "syntax = \"proto3\";\nimport \"acme/v1/b.proto\";\nimport \"google/protobuf/any.proto\";\n",
		"proto/acme/v1/b.proto": "syntax = \"proto3\";\n",
		"legacy/x.proto":        "syntax = \"proto3\";\nimport \"y.proto\";\n",
		"legacy/y.proto":        "syntax = \"proto3\";\n",
	}
	for rel, c := range files {
		p := filepath.Join(mod, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(c), 0o644)
	}
	ws := &Workspace{Dir: mod, ModPath: "example.com/m", Declared: []string{filepath.Join(mod, "proto"), mod}}
	a := filepath.Join(mod, "proto", "acme", "v1", "a.proto")
	roots, name := ws.Roots(a, []byte(files["proto/acme/v1/a.proto"]))
	if name != "acme/v1/a.proto" || roots[0].Dir != filepath.Join(mod, "proto") {
		t.Errorf("a.proto: %v %s", roots, name)
	}
	x := filepath.Join(mod, "legacy", "x.proto")
	roots, name = ws.Roots(x, []byte(files["legacy/x.proto"]))
	if name != "x.proto" || roots[0].Dir != filepath.Join(mod, "legacy") {
		t.Errorf("x.proto: %v %s", roots, name)
	}
	if !ws.Resolves(x, "y.proto") || !ws.Resolves(a, "example.com/m/legacy/y.proto") || ws.Resolves(a, "nope.proto") {
		t.Error("Resolves: want y.proto next to x.proto and the GOPATH-style name, not nope.proto")
	}
}

// TestScriptRootsThroughVariables: a -I value naming a variable the
// script assigns one value is that value (grpc-gateway v1.14.6's Makefile:
// GOOGLEAPIS_DIR=third_party/googleapis and protoc -I$(GOOGLEAPIS_DIR), so
// google/api/annotations.proto was "not found" and nothing importing it
// was regenerated). A variable with two values, appended to, or holding
// a flag list or a $(shell …) call stays unknown.
func TestScriptRootsThroughVariables(t *testing.T) {
	base := t.TempDir()
	for _, d := range []string{"third_party/googleapis", "api/v1", "vendor/protos", "twice/a", "twice/b", "more", "gen/inc", "defaulted"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mk := filepath.Join(base, "Makefile")
	sh := filepath.Join(base, "gen.sh")
	rd := map[string][]byte{
		mk: []byte("GOOGLEAPIS_DIR=third_party/googleapis\n" +
			"API ?= api\n" +
			"API_V1 := $(API)/v1 # the first version\n" +
			"TWICE = twice/a\n" +
			"ifdef B\nTWICE = twice/b\nendif\n" +
			"MORE := more\nMORE += extra\n" +
			"PROTOC_INC_PATH=$(dir $(shell which protoc))/../include\n" +
			"gen:\n\tprotoc -I. -I$(GOOGLEAPIS_DIR) -I $(API_V1) -I$(TWICE) -I$(MORE) -I $(PROTOC_INC_PATH) -I$(UNSET) --go_out=. x.proto\n"),
		sh: []byte("#!/bin/sh\nexport VENDOR=\"vendor/protos\"\nINC=gen/inc\nprotoc -I \"${VENDOR}\" --proto_path=$INC -I ${DEF_DIR:-defaulted} -I ${NOPE} x.proto\n"),
	}
	got := scriptRoots([]string{mk, sh}, mapReader(rd))
	for i := range got {
		got[i], _ = filepath.Rel(base, got[i])
		got[i] = filepath.ToSlash(got[i])
	}
	want := ". third_party/googleapis api/v1 vendor/protos gen/inc defaulted"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("script roots %q, want %q", s, want)
	}
}
