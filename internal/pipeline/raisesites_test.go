package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/rules/protov1"
)

// The protov1.raise.behaviour sites stay only when the final go.mod
// raises their module across their release: not without a go.mod change,
// not when the raise was withdrawn (go.mod kept, or changed without that
// raise), and each kind by its own module and release.
func TestKeepRaiseSites(t *testing.T) {
	const old = "module example.com/m\n\ngo 1.21\n\nrequire github.com/golang/protobuf v1.3.3\n"
	site := func(module, since string) change.Diagnostic {
		return change.Diagnostic{Path: "x_test.go", Rule: protov1.RaiseSitesRule, Message: "with " + module + " raised to " + since + " or later, the change"}
	}
	loader := site("github.com/golang/protobuf", "v1.4.0")
	jsonSite := site("google.golang.org/protobuf", "v1.25.0")
	errText := site("google.golang.org/protobuf", "v1.26.0")
	other := change.Diagnostic{Path: "x.go", Rule: "protov1.proto.codec", Message: "kept"}
	for _, c := range []struct {
		name   string
		newMod string // "" when go.mod is not in the set
		want   []change.Diagnostic
	}{
		{"no go.mod change", "", []change.Diagnostic{other}},
		{"raise to v1.5.4 (google.golang.org/protobuf v1.33.0 implied)", "module example.com/m\n\ngo 1.21\n\nrequire github.com/golang/protobuf v1.5.4\n", []change.Diagnostic{loader, jsonSite, errText, other}},
		{"raise to v1.4.3 on google.golang.org/protobuf v1.25.0", "module example.com/m\n\ngo 1.21\n\nrequire (\n\tgithub.com/golang/protobuf v1.4.3\n\tgoogle.golang.org/protobuf v1.25.0\n)\n", []change.Diagnostic{loader, jsonSite, other}},
		{"raise withdrawn, another module raised", "module example.com/m\n\ngo 1.21\n\nrequire (\n\tgithub.com/golang/protobuf v1.3.3\n\tgoogle.golang.org/grpc v1.60.0\n)\n", []change.Diagnostic{other}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			p := &pipeline{module: &modroot.Module{Dir: dir}}
			p.set.Diags = []change.Diagnostic{loader, jsonSite, errText, other}
			if c.newMod != "" {
				p.set.Put(&change.File{Path: filepath.Join(dir, "go.mod"), Old: []byte(old), New: []byte(c.newMod)})
			}
			p.keepRaiseSites()
			if len(p.set.Diags) != len(c.want) {
				t.Fatalf("kept %v, want %v", p.set.Diags, c.want)
			}
			for i := range c.want {
				if p.set.Diags[i] != c.want[i] {
					t.Fatalf("kept %v, want %v", p.set.Diags, c.want)
				}
			}
		})
	}
}
