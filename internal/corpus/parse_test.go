package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	in := `# comment line

github.com/a/b@v1.2.3 # why it is in
github.com/c/d@v0.0.0-2019 pin=github.com/golang/protobuf@v1.2.0,google.golang.org/grpc@v1.12.0 tags=x,y test=./a/...,./b
`
	got, err := ParseList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Module: "github.com/a/b", Version: "v1.2.3", Comment: "why it is in"},
		{Module: "github.com/c/d", Version: "v0.0.0-2019", Tags: "x,y",
			Pins: []string{"github.com/golang/protobuf@v1.2.0", "google.golang.org/grpc@v1.12.0"},
			Test: []string{"./a/...", "./b"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseList:\n got %+v\nwant %+v", got, want)
	}
	if got[0].Name() != "github.com/a/b@v1.2.3" {
		t.Errorf("Name = %q", got[0].Name())
	}
	for _, bad := range []string{"github.com/a/b\n", "github.com/a/b@v1 what\n", "github.com/a/b@v1 color=red\n"} {
		if _, err := ParseList(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseList(%q): no error", bad)
		}
	}
}

func TestCountByRule(t *testing.T) {
	stderr := `client/client.go:12:3: grpc.dial: grpc.Dial rewritten
client/client.go:40:1: protov1.jsonpb: not rewritten: the result is compared
	suggestion: something: with a colon
go.mod:7:2: mod.advisory: google.golang.org/grpc v1.64.0 is affected by GO-2024-2978 (x: y)
go.mod:8:2: mod.advisory: another
protolift: packages do not build; fix these errors first
	/tmp/x/a.go:1:2: undefined: y
gen.sh:28:13: gen.script: asks for plugins=grpc
`
	got := CountByRule(stderr)
	want := map[string]int{"grpc.dial": 1, "protov1.jsonpb": 1, "mod.advisory": 2, "gen.script": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CountByRule = %v, want %v", got, want)
	}
	top := TopRules(got)
	if top[0] != (RuleCount{"mod.advisory", 2}) || top[1].Rule != "gen.script" {
		t.Errorf("TopRules = %v", top)
	}
	r := &Run{ByRule: got, Diagnostics: 5}
	if c := rulesCell(r); c != "5: mod.advisory 2, gen.script 1, grpc.dial 1, +1 rules" {
		t.Errorf("rulesCell = %q", c)
	}
}

func TestNormalizeVet(t *testing.T) {
	out := `# example.com/m/a
# [example.com/m/a]
a/a.go:10:2: fmt.Printf format %d has arg "x" of wrong type string
./b.go:3:1: unreachable code
/tmp/w/src/c/c.go:7: struct field tag bad
vet: /tmp/w/src/d/d_test.go:4:9: undefined: x (see /tmp/w/src/d/d.go:1:1)
a/a.go:99:2: fmt.Printf format %d has arg "x" of wrong type string
`
	got := NormalizeVet(out, "/tmp/w/src")
	want := []string{
		`a/a.go: fmt.Printf format %d has arg "x" of wrong type string`,
		"b.go: unreachable code",
		"c/c.go: struct field tag bad",
		"d/d_test.go: undefined: x (see d/d.go:1:1)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NormalizeVet:\n got %q\nwant %q", got, want)
	}
	// A line that only moved is no new diagnostic; a new message is.
	after := NormalizeVet("a/a.go:12:2: fmt.Printf format %d has arg \"x\" of wrong type string\na/a.go:13:1: self-assignment of x to x\n", "")
	if d := Diff(got, after); !reflect.DeepEqual(d, []string{"a/a.go: self-assignment of x to x"}) {
		t.Errorf("Diff = %q", d)
	}
}

func TestParseTestJSON(t *testing.T) {
	data := `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestX"}
{"Action":"output","Package":"m/a","Test":"TestX","Output":"--- FAIL: TestX\n"}
{"Action":"pass","Package":"m/a","Test":"TestX/sub"}
{"Action":"fail","Package":"m/a","Test":"TestX"}
{"Action":"output","Package":"m/a","Output":"FAIL\n"}
{"Action":"fail","Package":"m/a","Elapsed":0.1}
{"Action":"pass","Package":"m/b","Test":"TestY"}
{"Action":"pass","Package":"m/b","Elapsed":0.2}
{"Action":"output","Package":"m/c","Output":"?   \tm/c\t[no test files]\n"}
{"Action":"skip","Package":"m/c","Elapsed":0}
{"ImportPath":"m/d [m/d.test]","Action":"build-output","Output":"d/d_test.go:3:1: syntax error\n"}
{"ImportPath":"m/d [m/d.test]","Action":"build-fail"}
{"Action":"fail","Package":"m/d","Elapsed":0,"FailedBuild":"m/d [m/d.test]"}
# m/d [m/d.test]
d/d_test.go:3:1: syntax error
`
	st, out := ParseTestJSON([]byte(data))
	want := map[string]string{"m/a": "fail", "m/b": "pass", "m/c": "skip", "m/d": "fail"}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("status = %v, want %v", st, want)
	}
	if !strings.Contains(out["m/a"], "--- FAIL: TestX") {
		t.Errorf("fail output of m/a = %q", out["m/a"])
	}
	if !strings.Contains(out["m/d"], "d/d_test.go:3:1: syntax error") {
		t.Errorf("fail output of m/d = %q", out["m/d"])
	}
	cases := ParseTestCases([]byte(data))
	if want := map[string]string{"m/a TestX": "fail", "m/b TestY": "pass"}; !reflect.DeepEqual(cases, want) {
		t.Errorf("cases = %v, want %v", cases, want)
	}
	if CountStatus(st, StatusPass) != 1 || CountStatus(st, StatusFail) != 2 {
		t.Errorf("CountStatus wrong for %v", st)
	}
}

func TestCompare(t *testing.T) {
	before := State{
		BuildOK: true,
		Vet:     []string{"a.go: old"},
		Tests:   map[string]string{"m/a": "pass", "m/b": "pass", "m/c": "fail", "m/d": "skip", "m/gone": "pass"},
	}
	after := State{
		BuildOK: true,
		Vet:     []string{"a.go: old", "b.go: new"},
		Tests:   map[string]string{"m/a": "pass", "m/b": "fail", "m/c": "fail", "m/d": "fail", "m/new": "fail"},
	}
	g := compare(before, after)
	if g.BuildBad || !reflect.DeepEqual(g.Vet, []string{"b.go: new"}) || !reflect.DeepEqual(g.Tests, []string{"m/b", "m/gone"}) {
		t.Errorf("compare = %+v", g)
	}
	// In a package that failed before, a test that passed before and fails
	// now is a regression; in a package that passed, the package says it.
	before.TestCases = map[string]string{"m/c TestOK": "pass", "m/c TestBad": "fail", "m/c TestGone": "pass", "m/b TestB": "pass"}
	after.TestCases = map[string]string{"m/c TestOK": "fail", "m/c TestBad": "fail", "m/b TestB": "fail"}
	if g := compare(before, after); !reflect.DeepEqual(g.Cases, []string{"m/c TestGone", "m/c TestOK"}) {
		t.Errorf("compare cases = %q", g.Cases)
	}
	after = State{BuildOK: false, BuildErrors: []string{"a.go:1:1: undefined: x"}}
	g = compare(before, after)
	if !g.BuildBad || len(g.Build) != 1 || len(g.Tests) != 3 {
		t.Errorf("compare with a broken build = %+v", g)
	}
	// A baseline that did not build cannot regress its build.
	if g := compare(State{}, after); g.BuildBad {
		t.Errorf("broken before, broken after: %+v", g)
	}
}

func TestBuildFailures(t *testing.T) {
	out := "# m/a\n/w/src/a/a.go:3:2: undefined: x\n/w/src/a/a.go:4:2: undefined: y\n"
	if got := BuildFailures(out, "/w/src"); !reflect.DeepEqual(got, []string{"a/a.go:3:2: undefined: x", "a/a.go:4:2: undefined: y"}) {
		t.Errorf("BuildFailures = %q", got)
	}
	out = "go: updates to go.mod needed; to update it:\n\tgo mod tidy\n"
	if got := BuildFailures(out, "/w/src"); len(got) != 2 || got[0] != "go: updates to go.mod needed; to update it:" {
		t.Errorf("BuildFailures without positions = %q", got)
	}
	if !staleModule(out) || staleModule("a.go:1:1: undefined: x") {
		t.Error("staleModule")
	}
}

func TestRegressedAndMarkdown(t *testing.T) {
	base := State{BuildOK: true, Tests: map[string]string{"m/a": "pass", "m/b": "pass"}}
	clean := &Result{Name: "example.com/clean@v1.0.0", Baseline: Baseline{State: base},
		Run:     &Run{Exit: 1, WallSeconds: 75.5, MaxRSSKB: 300 * 1024, FilesChanged: 2, LinesAdded: 10, LinesDeleted: 4, ByRule: map[string]int{"grpc.dial": 2}, Diagnostics: 2, Churn: &Churn{Hunks: 3}},
		Regress: &Regress{}, Relist: &Relist{Idempotent: true},
		V1Before: []string{"a.go", "b.go"}, V1After: []string{"b.go"}, GoModV1After: true}
	bad := &Result{Name: "example.com/bad@v1.0.0", Baseline: Baseline{State: base},
		Run:     &Run{Exit: 0, WallSeconds: 3, MaxRSSKB: 1000, Churn: &Churn{Hunks: 4, ChurnHunks: 1, ChurnLines: 2, ChurnSites: []string{"a.go:7"}}},
		Regress: &Regress{BuildBad: true, Build: []string{"a.go:1:1: undefined: x"}, Vet: []string{"a.go: new"}, Tests: []string{"m/a"}, Cases: []string{"m/c TestC"}},
		After:   &State{TestFailOut: map[string]string{"m/a": "--- FAIL: TestA"}},
		Relist:  &Relist{Files: []string{"a.go"}}}
	broken := &Result{Name: "example.com/broken@v1.0.0", Broken: "go build ./...: a.go:1:1: undefined: x"}
	crashed := &Result{Name: "example.com/crashed@v1.0.0", Baseline: Baseline{State: base},
		Run: &Run{Exit: 2, StderrTail: "protolift: boom"}, Regress: &Regress{}, Relist: &Relist{Exit: 2}}
	notRun := &Result{Name: "example.com/late@v1.0.0", Error: "not run: the -budget was used up"}

	if clean.Regressed() || !bad.Regressed() || broken.Regressed() || !crashed.Regressed() || !notRun.Regressed() {
		t.Errorf("Regressed: clean %v bad %v broken %v crashed %v notRun %v",
			clean.Regressed(), bad.Regressed(), broken.Regressed(), crashed.Regressed(), notRun.Regressed())
	}
	var b strings.Builder
	Markdown(&b, []*Result{clean, bad, broken, crashed, notRun})
	md := b.String()
	for _, want := range []string{
		"| example.com/clean@v1.0.0 | 1 | 1m15s | 300 MB | 2 (+10 −4) | 3 (0 / 0) | 2: grpc.dial 2 | ok | 0 | 0 of 2 | 1 / 2 | yes | yes |",
		"| example.com/bad@v1.0.0 | 0 | 3.0s | 1 MB | 0 (+0 −0) | 4 (**1** / 0) | 0 | **broken (1)** | **1** | **1** of 2 + **1** tests | 0 / 0 | no | **no (1 files)** |",
		"| example.com/broken@v1.0.0 | — | — | — | — | — | — | baseline broken |",
		"| example.com/crashed@v1.0.0 | **2** |",
		"| example.com/late@v1.0.0 | — | — | — | — | — | — | harness error |",
		"5 modules: 1 without regression, 2 regressed, 1 baseline broken, 1 harness errors.",
		"Baseline broken (not counted): go build ./...: a.go:1:1: undefined: x",
		"--- FAIL: TestA",
		"Tests that passed before (in packages that failed before) and fail now: m/c TestC",
		"protolift: boom",
		"Second run (protolift -l, exit 0) still lists 1 files: a.go",
		"Untouched-line churn: 1 hunks (2 lines) no rule edit covers: a.go:7",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "### example.com/clean") {
		t.Errorf("a clean module got details:\n%s", md)
	}
}

func TestMergeResults(t *testing.T) {
	first := []*Result{
		{Name: "a", Run: &Run{Exit: 1}},
		{Name: "b", Error: "not run: the -budget was used up"},
	}
	second := []*Result{
		{Name: "a", Error: "not run: the -budget was used up"},
		{Name: "b", Run: &Run{Exit: 0}},
		{Name: "c", Broken: "x"},
	}
	got := mergeResults(first, second)
	if len(got) != 3 || got[0].Run == nil || got[0].Run.Exit != 1 || got[1].Run == nil || got[2].Broken != "x" {
		t.Errorf("mergeResults = %+v %+v %+v", got[0], got[1], got[2])
	}
}

// TestLateFindings: a finding the second run makes beyond the first
// run's count for its file and rule is late; one the first run made at
// another line, or worded with another type name, is not.
func TestLateFindings(t *testing.T) {
	first := "a.go:3:1: protov1.jsonpb: output format changes\ngo.mod:7:2: mod.kept: stays\nc.go:1:1: protov1.proto.extensions: static type proto.Message\n"
	second := "a.go:5:1: protov1.jsonpb: output format changes\nc.go:2:1: protov1.proto.extensions: static type protoiface.MessageV1\nb.go:9:2: protov1.descriptor: descriptor.Message relies on Descriptor()\nnoise\n" +
		"d.pb.go:1:1: gen.regenerate: not regenerated: breaks it (at d/x_test.go:18:31); kept\n"
	first += "d.pb.go:1:1: gen.regenerate: not regenerated: breaks it (at d/x_test.go:17:31); kept\n"
	got := LateFindings(first, second)
	want := []string{"b.go: protov1.descriptor: descriptor.Message relies on Descriptor()"}
	if !slices.Equal(got, want) {
		t.Errorf("late %q, want %q", got, want)
	}
}

// v1Files counts generated code in either header form apart from the
// hand-written files (twirp's gogo_compat/service.pb.go and
// go-grpc-prometheus's test.pb.go, both with the pre-2017 header, were
// counted as hand-written).
func TestV1FilesOldHeader(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"old.pb.go":  "// Code generated by protoc-gen-go.\n// source: test.proto\n// DO NOT EDIT!\n\npackage p\n\nimport proto \"github.com/golang/protobuf/proto\"\n\nvar _ = proto.Marshal\n",
		"gogo.pb.go": "// Code generated by protoc-gen-gogo.\n// source: service.proto\n// DO NOT EDIT!\n\npackage p\n\nimport proto \"github.com/golang/protobuf/proto\"\n\nvar _ = proto.Marshal\n",
		"new.pb.go":  "// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: a.proto\n\npackage p\n\nimport proto \"github.com/golang/protobuf/proto\"\n\nvar _ = proto.Marshal\n",
		"hand.go":    "// Package p quotes a header.\npackage p\n\n// Code generated by protoc-gen-go.\n// DO NOT EDIT!\nimport proto \"github.com/golang/protobuf/proto\"\n\nvar _ = proto.Size\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hand, generated := v1Files(dir)
	if len(hand) != 1 || hand[0] != "hand.go" || generated != 3 {
		t.Errorf("v1Files = %v, %d generated; want [hand.go], 3", hand, generated)
	}
}
