package regen

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestBufRoots(t *testing.T) {
	base := t.TempDir()
	rd := reader{
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
	got := bufRoots(files, rd)
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
