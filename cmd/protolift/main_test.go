package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// newModule creates a module that requires the real golang/protobuf and
// google.golang.org/protobuf (go.mod and go.sum from the rule tests'
// template) with the given files.
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	tmpl := filepath.Join(filepath.Dir(self), "..", "..", "ruletest", "testdata", "mod")
	dir := t.TempDir()
	for _, n := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(tmpl, n))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, n), data)
	}
	for name, content := range files {
		write(t, filepath.Join(dir, name), []byte(content))
	}
	return dir
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func protolift(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

const legacyTimestamp = `package app

import (
	"time"

	"github.com/golang/protobuf/ptypes"
	tspb "github.com/golang/protobuf/ptypes/timestamp"
)

// Stamp converts t, keeping the error.
func Stamp(t time.Time) (*tspb.Timestamp, error) {
	ts, err := ptypes.TimestampProto(t) // keep me
	if err != nil {
		return nil, err
	}
	return ts, nil
}
`

func TestModesAndExitCodes(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": legacyTimestamp})
	file := filepath.Join(dir, "app", "app.go")

	code, out, errOut := protolift(t, "go", "-C", dir, "./...")
	if code != exitOK {
		t.Fatalf("go -d: exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"--- a/app/app.go", "+++ b/app/app.go", "+\tts := tspb.New(t)", "// keep me"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if data, _ := os.ReadFile(file); string(data) != legacyTimestamp {
		t.Fatal("-d wrote the file")
	}

	code, out, _ = protolift(t, "go", "-C", dir, "-l", "./...")
	if code != exitOK || strings.TrimSpace(out) != "app/app.go" {
		t.Fatalf("go -l: exit %d, out %q", code, out)
	}

	code, out, _ = protolift(t, "go", "-C", dir, "-json", "./...")
	var res struct {
		Files []struct {
			File    string
			Changes []struct{ Rule, Risk, Message string }
		}
		Diagnostics []any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("go -json: exit %d, %v\n%s", code, err, out)
	}
	if len(res.Files) != 1 || res.Files[0].File != "app/app.go" || res.Files[0].Changes[0].Rule == "" || res.Files[0].Changes[0].Risk == "" {
		t.Fatalf("unexpected JSON: %+v", res)
	}

	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut = protolift(t, "go", "-C", dir, "-w", "./..."); code != exitOK {
		t.Fatalf("go -w: exit %d\n%s", code, errOut)
	}
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), "timestamppb") && !strings.Contains(string(data), "tspb.New") {
		t.Fatalf("-w did not write the migration:\n%s", data)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("-w changed permissions to %v", fi.Mode().Perm())
	}
	if code, out, _ = protolift(t, "go", "-C", dir, "-l", "./..."); code != exitOK || out != "" {
		t.Fatalf("second run: exit %d, lists %q", code, out)
	}
}

func TestManualFindingsExitOne(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": `package app

import "github.com/golang/protobuf/ptypes"

var f = ptypes.TimestampProto
`})
	code, _, errOut := protolift(t, "go", "-C", dir, "./...")
	if code != exitFindings || !strings.Contains(errOut, "app/app.go:5:9: protov1.ptypes.timestamp:") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if code, _, _ = protolift(t, "go", "-C", dir, "-fail-on-manual=false", "./..."); code != exitOK {
		t.Fatalf("-fail-on-manual=false: exit %d", code)
	}
}

func TestBadInput(t *testing.T) {
	t.Run("conflicting flags", func(t *testing.T) {
		code, _, errOut := protolift(t, "go", "-l", "-w")
		if code != exitError || !strings.Contains(errOut, "-l") || !strings.Contains(errOut, "-w") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("conflicting formats", func(t *testing.T) {
		code, _, errOut := protolift(t, "go", "-json", "-rdjsonl")
		if code != exitError || !strings.Contains(errOut, "-json and -rdjsonl") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("unknown rule", func(t *testing.T) {
		dir := newModule(t, map[string]string{"app/app.go": legacyTimestamp})
		code, _, errOut := protolift(t, "go", "-C", dir, "-rules=nosuch", "./...")
		if code != exitError || !strings.Contains(errOut, `"nosuch"`) {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("not a module", func(t *testing.T) {
		code, _, errOut := protolift(t, "go", "-C", t.TempDir())
		if code != exitError || !strings.Contains(errOut, "not inside a Go module") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("syntax error", func(t *testing.T) {
		bad := strings.Replace(legacyTimestamp, "return ts, nil", "return ts,, nil", 1)
		dir := newModule(t, map[string]string{"app/app.go": bad})
		code, out, errOut := protolift(t, "go", "-C", dir, "-w", "./...")
		if code != exitError || !strings.Contains(errOut, "app.go:17:") || out != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "app", "app.go")); string(data) != bad {
			t.Fatal("file was written despite the error")
		}
	})
	t.Run("type error", func(t *testing.T) {
		bad := strings.Replace(legacyTimestamp, "return ts, nil", "return ts, undefinedThing", 1)
		dir := newModule(t, map[string]string{"app/app.go": bad, "app/ok.go": "package app\n\nimport \"github.com/golang/protobuf/ptypes\"\n\nvar _ = ptypes.TimestampNow\n"})
		code, _, errOut := protolift(t, "go", "-C", dir, "-w", "./...")
		if code != exitError || !strings.Contains(errOut, "app/app.go:16:13: undefined: undefinedThing") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "app", "ok.go")); !strings.Contains(string(data), "ptypes.TimestampNow") {
			t.Fatal("a file was written despite the error")
		}
	})
	t.Run("unreadable file", func(t *testing.T) {
		dir := newModule(t, map[string]string{"app/app.go": legacyTimestamp})
		if err := os.Symlink(filepath.Join(dir, "missing.go"), filepath.Join(dir, "app", "broken.go")); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := protolift(t, "go", "-C", dir, "-w", "./...")
		if code != exitError || !strings.Contains(errOut, "broken.go") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "app", "app.go")); string(data) != legacyTimestamp {
			t.Fatal("file was written despite the error")
		}
	})
}

func TestGeneratedAndBuildTaggedFilesAreReported(t *testing.T) {
	dir := newModule(t, map[string]string{
		"app/app.go":      legacyTimestamp,
		"app/gen.pb.go":   "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage app\n\nimport \"github.com/golang/protobuf/ptypes\"\n\nvar _ = ptypes.TimestampNow\n",
		"app/extra.go":    "//go:build integration && !race\n\npackage app\n\nimport \"github.com/golang/protobuf/ptypes\"\n\nvar _ = ptypes.TimestampNow\n",
		"app/other_os.go": "//go:build plan9\n\npackage app\n\nimport \"github.com/golang/protobuf/ptypes\"\n\nvar _ = ptypes.TimestampNow\n",
	})
	code, out, errOut := protolift(t, "go", "-C", dir, "./...")
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if strings.Contains(out, "gen.pb.go") || strings.Contains(out, "other_os.go") {
		t.Fatalf("generated or excluded file was rewritten:\n%s", out)
	}
	if !strings.Contains(errOut, "app/gen.pb.go:1:1: protolift.generated:") {
		t.Errorf("generated file not reported:\n%s", errOut)
	}
	// A file that needs a tag is covered by an extra configuration...
	if !strings.Contains(out, "+++ b/app/extra.go") {
		t.Errorf("tagged file not migrated:\n%s", out)
	}
	// ...and one no configuration here can include is reported.
	if !strings.Contains(errOut, "app/other_os.go:1:1: protolift.buildtags:") || !strings.Contains(errOut, "//go:build plan9") {
		t.Errorf("excluded file not reported:\n%s", errOut)
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := protolift(t, "rules")
	if code != exitOK || !strings.Contains(out, "protov1.ptypes.timestamp") || !strings.Contains(out, "review") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestCRLFFileKeepsLineEndings(t *testing.T) {
	crlf := strings.ReplaceAll(legacyTimestamp, "\n", "\r\n")
	dir := newModule(t, map[string]string{"app/app.go": crlf})
	if code, _, errOut := protolift(t, "go", "-C", dir, "-w", "./..."); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "app", "app.go"))
	if strings.Count(string(data), "\r\n") != strings.Count(string(data), "\n") || !strings.Contains(string(data), "ts.CheckValid()") {
		t.Fatalf("line endings or content lost:\n%q", data)
	}
	if !strings.Contains(string(data), "\r\n\r\n// Stamp") {
		t.Fatalf("blank line lost:\n%q", data)
	}
}

// -rdjsonl gives PR bots one suggested edit per changed run of lines and
// one comment per finding.
func TestRDJSONL(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": legacyTimestamp})
	code, out, _ := protolift(t, "go", "-C", dir, "-rdjsonl", "./...")
	if code == exitError {
		t.Fatalf("exit %d", code)
	}
	suggestions := 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var d struct {
			Location    struct{ Path string }
			Suggestions []struct{ Text string }
		}
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		suggestions += len(d.Suggestions)
		if d.Location.Path == "" {
			t.Errorf("line without a path: %s", l)
		}
	}
	if suggestions == 0 || !strings.Contains(out, "timestamppb") {
		t.Errorf("no suggested edits in:\n%s", out)
	}
}

func TestDiffcheckUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diffcheck"}, "-old is required"},
		{[]string{"diffcheck", "-old=x@v1.0.0", "-new=y@v1.0.0", "-base=HEAD"}, "-new and -base cannot be used together"},
		{[]string{"diffcheck", "-old=x@v1.0.0", "-format=xml"}, "want text, json or markdown"},
		{[]string{"diffcheck", "-old=x@v1.0.0", "-fail-on=sometimes"}, "sometimes"},
	} {
		code, _, errOut := protolift(t, tc.args...)
		if code != exitError || !strings.Contains(errOut, tc.want) {
			t.Errorf("protolift %s: exit %d, stderr %q, want %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
}

// protolift proto -prove=REV checks a conversion made earlier (by
// protolift or by hand) against the file at REV.
func TestProveAgainstRevision(t *testing.T) {
	dir := newModule(t, map[string]string{
		"api/v1/item.proto": "syntax = \"proto3\";\n\npackage api.v1;\n\noption go_package = \"example.com/app/api/v1;apiv1\";\n\nmessage Item {\n  repeated int32 sizes = 1;\n  optional string name = 2;\n}\n",
	})
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "proto3")
	if code, _, errOut := protolift(t, "proto", "-C", dir, "-edition=2023", "-w"); code == exitError {
		t.Fatalf("converting: exit %d\n%s", code, errOut)
	}
	if code, out, errOut := protolift(t, "proto", "-C", dir, "-prove=HEAD"); code != exitOK || out != "" {
		t.Fatalf("proving protolift's own conversion: exit %d\n%s\n%s", code, out, errOut)
	}
	// A hand edit that changes the wire format is caught.
	p := filepath.Join(dir, "api", "v1", "item.proto")
	src, _ := os.ReadFile(p)
	broken := strings.Replace(string(src), "repeated int32 sizes = 1", "repeated int32 sizes = 1 [features.repeated_field_encoding = EXPANDED]", 1)
	if broken == string(src) {
		t.Fatalf("converted file has no sizes field to break:\n%s", src)
	}
	write(t, p, []byte(broken))
	code, _, errOut := protolift(t, "proto", "-C", dir, "-prove=HEAD")
	if code != exitFindings || !strings.Contains(errOut, "sizes") {
		t.Fatalf("broken conversion: exit %d, findings:\n%s", code, errOut)
	}
	if code, _, errOut := protolift(t, "-C", dir, "-prove=HEAD"); code != exitError || !strings.Contains(errOut, "proto stage") {
		t.Errorf("-prove outside the proto stage: exit %d, %s", code, errOut)
	}
}

// A rule whose output leaves work to a later rule must not rely on it
// when the user disabled it: DynamicAny's .Message stays a v1 value for a
// v1 text call.
func TestDisabledFollowUpRule(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": `package app

import (
	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	anypb "github.com/golang/protobuf/ptypes/any"
)

// Show prints a packed message.
func Show(a *anypb.Any) string {
	dyn := &ptypes.DynamicAny{}
	if err := ptypes.UnmarshalAny(a, dyn); err != nil {
		return err.Error()
	}
	return proto.CompactTextString(dyn.Message)
}
`})
	if code, _, errOut := protolift(t, "go", "-C", dir, "-w", "-rules=protov1,-protov1.proto.text", "./..."); code == exitError {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	goIn(t, dir, "build", "./...")
	src, _ := os.ReadFile(filepath.Join(dir, "app", "app.go"))
	if !strings.Contains(string(src), "UnmarshalNew") || !strings.Contains(string(src), "proto.CompactTextString(protoadapt.MessageV1Of(dyn))") {
		t.Errorf("unexpected result:\n%s", src)
	}
}

// A run first finishes the write of a run that was killed while writing
// (internal/apply tests every way that can happen; this checks that the
// command recovers before anything else and says so), and stops when it
// cannot.
func TestRecoversKilledWrite(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": "package app\n"})
	// The journal of a run killed before renaming its temp over new.go.
	content := "package app\n\nvar New = 1\n"
	write(t, filepath.Join(dir, "app", ".new.go.protolift-x"), []byte(content))
	journal := fmt.Sprintf(`{"files": [{"path": "app/new.go", "temp": "app/.new.go.protolift-x", "new": "%x", "mode": 420}]}`, sha256.Sum256([]byte(content)))
	write(t, filepath.Join(dir, ".protolift-journal", "journal.json"), []byte(journal))
	code, out, errOut := protolift(t, "go", "-C", dir, "-l", "./...")
	if code != exitOK || out != "" || !strings.Contains(errOut, "protolift: completed the write of a killed run") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "app", "new.go")); string(data) != content {
		t.Errorf("new.go is %q", data)
	}
	for _, p := range []string{".protolift-journal", "app/.new.go.protolift-x"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s left behind", p)
		}
	}
	// new.go edited after the kill: neither old nor new content.
	write(t, filepath.Join(dir, ".protolift-journal", "journal.json"), []byte(strings.Replace(journal, `"new": "`, `"new": "0`, 1)))
	code, _, errOut = protolift(t, "go", "-C", dir, "-l", "./...")
	if code != exitError || !strings.Contains(errOut, "app/new.go has neither") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}

// TestOutputFormatWarnings: a rewrite that changes produced text prints
// a warning on stderr (not only in -json) and keeps exit 0;
// -keep-output-format refuses it instead (issue 9, shape 4).
func TestOutputFormatWarnings(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": `package app

import "github.com/golang/protobuf/proto"

// Dump prints m for people.
func Dump(m proto.Message) string {
	return proto.MarshalTextString(m)
}
`})
	code, out, errOut := protolift(t, "go", "-C", dir, "./...")
	if code != exitOK || !strings.Contains(out, "prototext") {
		t.Fatalf("go -d: exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "app/app.go:7:9: protov1.proto.text: output format changes: prototext prints a nested message as `name: {…}` where v1 printed `name: <…>`") {
		t.Errorf("no output-format warning on stderr:\n%s", errOut)
	}
	code, out, errOut = protolift(t, "go", "-C", dir, "-keep-output-format", "./...")
	if code != exitFindings || strings.Contains(out, "prototext") || !strings.Contains(errOut, "app/app.go:7:9: protov1.proto.text: not rewritten: -keep-output-format") {
		t.Fatalf("go -keep-output-format: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
