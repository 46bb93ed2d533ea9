package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// brokenRules misbehave on purpose: one writes a call to a function that
// does not exist, one renames a function its callers in other files
// still use. Verification must withdraw exactly their changes.
var brokenRules = []*rule.Rule{
	{
		Name: "test.undefined", Doc: "strings.ToUpper → strings.ToUpperBroken", Imports: []string{"strings"},
		Run: func(p *rule.Pass) {
			dstutil.Apply(p.File, func(c *dstutil.Cursor) bool {
				if id, ok := c.Node().(*dst.Ident); ok && id.Path == "strings" && id.Name == "ToUpper" {
					p.Changed(id, change.Safe, "broken on purpose")
					id.Name = "ToUpperBroken"
				}
				return true
			}, nil)
		},
	},
	{
		Name: "test.rename", Doc: "func Hello → func HelloV2", Imports: []string{"strings"},
		Run: func(p *rule.Pass) {
			for _, d := range p.File.Decls {
				if fd, ok := d.(*dst.FuncDecl); ok && fd.Name.Name == "Hello" {
					p.Changed(fd, change.Safe, "renamed on purpose")
					fd.Name.Name = "HelloV2"
				}
			}
		},
	},
}

func withBrokenRules(t *testing.T) {
	old := extraRules
	extraRules = brokenRules
	t.Cleanup(func() { extraRules = old })
}

func builds(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s after the migration: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// A rule whose rewrite does not type-check is withdrawn from that file
// alone; the other rules' rewrites of the same file stay.
func TestVerifyWithdrawsBrokenRule(t *testing.T) {
	withBrokenRules(t)
	dir := newModule(t, map[string]string{"app/app.go": `package app

import (
	"strings"
	"time"

	"github.com/golang/protobuf/ptypes"
	tspb "github.com/golang/protobuf/ptypes/timestamp"
)

func Stamp(t time.Time) (*tspb.Timestamp, error) {
	return ptypes.TimestampProto(t)
}

func Shout(s string) string { return strings.ToUpper(s) }
`})
	code, _, errOut := protolift(t, "go", "-C", dir, "-w", "./...")
	if code != exitFindings {
		got, _ := os.ReadFile(filepath.Join(dir, "app", "app.go"))
		t.Fatalf("exit %d, want 1 (a withdrawn change needs a person)\n%s\nwritten:\n%s", code, errOut, got)
	}
	if !strings.Contains(errOut, "test.undefined: not rewritten: the rewrite does not type-check: undefined: strings.ToUpperBroken") {
		t.Errorf("no diagnostic for the withdrawn rule:\n%s", errOut)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "app", "app.go"))
	if !strings.Contains(string(got), "strings.ToUpper(s)") || strings.Contains(string(got), "ptypes.") {
		t.Errorf("want the broken rewrite withdrawn and the timestamp one kept:\n%s", got)
	}
	builds(t, dir)
}

// A rewrite that breaks another, unchanged file of the package is
// withdrawn with its whole file.
func TestVerifyWithdrawsFileBreakingOthers(t *testing.T) {
	withBrokenRules(t)
	dir := newModule(t, map[string]string{
		"app/a.go": `package app

import (
	"strings"

	"github.com/golang/protobuf/proto"
)

var _ = proto.String

func Hello() string { return strings.TrimSpace(" hi ") }
`,
		"app/b.go": `package app

func Greet() string { return Hello() }
`,
	})
	code, _, errOut := protolift(t, "go", "-C", dir, "-w", "./...")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "protolift.verify: not rewritten: the file's migration breaks the build: undefined: Hello (at app/b.go:3:30)") {
		t.Errorf("no diagnostic naming the broken use:\n%s", errOut)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "app", "a.go"))
	if !strings.Contains(string(got), "func Hello()") {
		t.Errorf("a.go still renamed:\n%s", got)
	}
	builds(t, dir)
}

// A pattern that matches no package is a usage error, not "nothing to
// do": `protolift -w prot` (a stage name mistyped) must not run the
// module-wide stages.
func TestPatternMatchingNothing(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": legacyTimestamp})
	for _, pat := range []string{"prot", "./nosuchdir/...", "./nosuchdir"} {
		code, out, errOut := protolift(t, "-C", dir, "-w", pat)
		if code != exitError || !strings.Contains(errOut, "matches no packages") && !strings.Contains(errOut, "does not exist") {
			t.Errorf("%s: exit %d, stderr %q, stdout %q", pat, code, errOut, out)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "app", "app.go")); string(data) != legacyTimestamp {
		t.Fatal("a run with a pattern matching nothing wrote files")
	}
}
