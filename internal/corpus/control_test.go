package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRaises(t *testing.T) {
	before := []byte(`module m

go 1.12

require (
	github.com/golang/protobuf v1.3.2
	google.golang.org/genproto v0.0.0-20190819201941-24fa4b261c55
	google.golang.org/grpc v1.23.0
)
`)
	after := []byte(`module m

go 1.21

require (
	github.com/golang/protobuf v1.5.4
	google.golang.org/genproto v0.0.0-20190819201941-24fa4b261c55
	google.golang.org/genproto/googleapis/api v0.0.0-20240604185151-ef581f913117
	google.golang.org/grpc v1.64.0
	google.golang.org/protobuf v1.34.1
)
`)
	got, err := Raises(before, after)
	if err != nil {
		t.Fatal(err)
	}
	// grpc's raise and the go directive are not the protobuf raise; an
	// unchanged genproto is not raised.
	want := []string{"github.com/golang/protobuf@v1.5.4", "google.golang.org/genproto/googleapis/api@v0.0.0-20240604185151-ef581f913117", "google.golang.org/protobuf@v1.34.1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Raises = %q, want %q", got, want)
	}
	if got, _ := Raises(before, before); len(got) != 0 {
		t.Errorf("Raises of an unchanged go.mod = %q", got)
	}
}

func TestNotBuilt(t *testing.T) {
	out := `{"Action":"start","Package":"m/a"}
{"ImportPath":"m/a [m/a.test]","Action":"build-output","Output":"a_test.go:3:2: undefined: x\n"}
{"Action":"output","Package":"m/a","Output":"FAIL\tm/a [build failed]\n"}
{"Action":"fail","Package":"m/a","FailedBuild":"m/a [m/a.test]"}
{"Action":"output","Package":"m/c","Output":"FAIL\tm/c [setup failed]\n"}
{"Action":"fail","Package":"m/c"}
{"Action":"run","Package":"m/b","Test":"TestX"}
{"Action":"output","Package":"m/b","Test":"TestX","Output":"says [build failed] in a test\n"}
{"Action":"fail","Package":"m/b","Test":"TestX"}
{"Action":"fail","Package":"m/b"}
`
	if got, want := NotBuilt([]byte(out)), []string{"m/a", "m/c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("NotBuilt = %q, want %q", got, want)
	}
}

// TestClassify covers each way a regression is classified by the control.
func TestClassify(t *testing.T) {
	before := State{
		Tests: map[string]string{"m/raise": "pass", "m/rewrite": "pass", "m/mixed": "pass", "m/nobuild": "pass", "m/old": "fail", "m/gone": "fail"},
		TestCases: map[string]string{
			"m/raise TestA": "pass", "m/raise TestB": "pass",
			"m/mixed TestA": "pass", "m/mixed TestB": "pass",
			"m/old TestFails": "fail", "m/old TestRaise": "pass", "m/old TestKilled": "pass", "m/old TestRewrite": "pass", "m/old TestSkipped": "pass",
			"m/gone TestA": "pass",
		},
	}
	after := State{
		Tests: map[string]string{"m/raise": "fail", "m/rewrite": "fail", "m/mixed": "fail", "m/nobuild": "fail", "m/old": "fail", "m/gone": "fail"},
		TestCases: map[string]string{
			// TestB of m/raise did not run: TestA panicked.
			"m/raise TestA": "fail",
			"m/mixed TestA": "fail", "m/mixed TestB": "fail",
			"m/old TestFails": "fail", "m/old TestRaise": "fail", "m/old TestRewrite": "fail", "m/old TestSkipped": "fail",
			"m/gone TestA": "fail",
		},
	}
	g := &Regress{
		Tests: []string{"m/mixed", "m/nobuild", "m/raise", "m/rewrite"},
		Cases: []string{"m/gone TestA", "m/old TestKilled", "m/old TestRaise", "m/old TestRewrite", "m/old TestSkipped"},
	}
	c := &Control{
		Raised: []string{"github.com/golang/protobuf@v1.5.4"},
		Tests:  map[string]string{"m/raise": "fail", "m/rewrite": "pass", "m/mixed": "fail", "m/nobuild": "fail", "m/old": "fail"},
		Cases: map[string]string{
			"m/raise TestA": "fail",
			"m/mixed TestA": "fail", "m/mixed TestB": "pass",
			"m/old TestFails": "fail", "m/old TestRaise": "fail", "m/old TestRewrite": "pass", "m/old TestSkipped": "skip",
		},
		NotBuilt: []string{"m/nobuild"},
	}
	want := map[string]string{
		"m/raise":           ClassRaise,   // fails there, and so does every test it lost (TestB does not run there either)
		"m/rewrite":         ClassRewrite, // passes there
		"m/mixed":           ClassRewrite, // fails there, but TestB, which it lost, passes there
		"m/nobuild":         ClassNA,      // its tests do not build there
		"m/old TestRaise":   ClassRaise,
		"m/old TestKilled":  ClassRaise, // does not run there either
		"m/old TestRewrite": ClassRewrite,
		"m/old TestSkipped": ClassRewrite, // does not fail there
		"m/gone TestA":      ClassNA,      // no result for its package there
	}
	got := Classify(before, after, g, c)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Classify =\n%v\nwant\n%v", got, want)
	}

	// Nothing raised: the control is the baseline, where all passed.
	got = Classify(before, after, g, &Control{})
	for key, cl := range got {
		if cl != ClassRewrite {
			t.Errorf("nothing raised: %s is %s, want rewrite", key, cl)
		}
	}
	if len(got) != len(g.Tests)+len(g.Cases) {
		t.Errorf("nothing raised: %d classes for %d regressions", len(got), len(g.Tests)+len(g.Cases))
	}
}

// gatewayLike is a module row with one regressed package and six regressed
// tests, as grpc-gateway's was, decoded from JSON the way -render reads it.
func gatewayLike(t *testing.T, control string) *Result {
	t.Helper()
	js := `{"name": "example.com/gw@v1.0.0",
		"baseline": {"state": {"build_ok": true, "tests": {"p/a": "pass", "p/b": "fail", "p/c": "pass", "p/d": "pass", "p/e": "pass", "p/f": "pass", "p/g": "pass", "p/h": "pass", "p/i": "pass", "p/j": "pass"}}},
		"protolift": {"exit": 1, "wall_seconds": 42.3, "max_rss_kb": 638976},
		"regressions": {"tests": ["p/a"], "test_cases": ["p/b T1", "p/b T2", "p/b T3", "p/b T4", "p/b T5", "p/b T6"], "build_broken": false},
		"relist": {"exit": 0, "idempotent": true}` + control + `}`
	var r Result
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func renderOne(r *Result) (row, summary, all string) {
	var b strings.Builder
	Markdown(&b, []*Result{r})
	all = b.String()
	lines := strings.Split(all, "\n")
	return lines[2], lines[4], all
}

func TestRenderControl(t *testing.T) {
	// A result from before the control renders as it did.
	row, summary, all := renderOne(gatewayLike(t, ""))
	if !strings.Contains(row, "| **1** of 9 + **6** tests |") {
		t.Errorf("row without control: %s", row)
	}
	if summary != "1 modules: 0 without regression, 1 regressed, 0 baseline broken, 0 harness errors." {
		t.Errorf("summary without control: %s", summary)
	}
	if strings.Contains(all, "control") {
		t.Errorf("a result without control mentions it:\n%s", all)
	}

	allRaise := `, "raise_control": {"raised": ["github.com/golang/protobuf@v1.5.4", "google.golang.org/protobuf@v1.36.6"], "seconds": 30,
		"class": {"p/a": "raise", "p/b T1": "raise", "p/b T2": "raise", "p/b T3": "raise", "p/b T4": "raise", "p/b T5": "raise", "p/b T6": "raise"}}`
	row, summary, all = renderOne(gatewayLike(t, allRaise))
	if !strings.Contains(row, "| **1** of 9 + **6** tests (raise: 1 pkg, 6 tests) |") {
		t.Errorf("row, all raise: %s", row)
	}
	if summary != "1 modules: 0 without regression, 1 regressed (1 only by tests the protobuf raise alone fails, 0 by tests protolift's rewrites fail), 0 baseline broken, 0 harness errors." {
		t.Errorf("summary, all raise: %s", summary)
	}
	if !strings.Contains(all, "Raise-only control (baseline + go get github.com/golang/protobuf@v1.5.4 google.golang.org/protobuf@v1.36.6, no rewrite):\n\n- fail there too (the raise): p/a, p/b T1, p/b T2,") {
		t.Errorf("details, all raise:\n%s", all)
	}

	mixed := `, "raise_control": {"raised": ["github.com/golang/protobuf@v1.5.4"], "seconds": 30,
		"class": {"p/a": "rewrite", "p/b T1": "raise", "p/b T2": "raise", "p/b T3": "raise", "p/b T4": "raise", "p/b T5": "n/a", "p/b T6": "rewrite"}}`
	r := gatewayLike(t, mixed)
	r.Regress.Flaky = []string{"p/c"}
	row, summary, all = renderOne(r)
	if !strings.Contains(row, "| **1** of 9 + **6** tests (1 flaky; raise: 4 tests; rewrite: 1 pkg, 1 test; n/a: 1 test) |") {
		t.Errorf("row, mixed: %s", row)
	}
	if !strings.Contains(summary, "regressed (0 only by tests the protobuf raise alone fails, 1 by tests protolift's rewrites fail)") {
		t.Errorf("summary, mixed: %s", summary)
	}
	if !strings.Contains(all, "- pass there (the rewrites): p/a, p/b T6\n") || !strings.Contains(all, "- not tested there (test binary does not build, or no result): p/b T5\n") {
		t.Errorf("details, mixed:\n%s", all)
	}

	// A module whose tests all fail by the raise but whose vet regressed
	// is not raise-only.
	r = gatewayLike(t, allRaise)
	r.Regress.Vet = []string{"x.go: new"}
	if _, summary, _ = renderOne(r); !strings.Contains(summary, "(0 only by tests the protobuf raise alone fails, 0 by tests") {
		t.Errorf("summary, raise with a vet regression: %s", summary)
	}

	na := `, "raise_control": {"raised": ["github.com/golang/protobuf@v1.5.4"], "not_applicable": "go build ./...: a.go:1:1: undefined: x", "seconds": 3}`
	row, summary, all = renderOne(gatewayLike(t, na))
	if !strings.Contains(row, "| **1** of 9 + **6** tests (control n/a) |") || !strings.Contains(summary, "(0 only by tests the protobuf raise alone fails, 0 by tests protolift's rewrites fail)") {
		t.Errorf("control n/a: %s\n%s", row, summary)
	}
	if !strings.Contains(all, "Raise-only control n/a (baseline + go get github.com/golang/protobuf@v1.5.4): go build ./...: a.go:1:1: undefined: x\n") {
		t.Errorf("details, control n/a:\n%s", all)
	}
}

// fixtureModule is a module on a stand-in github.com/golang/protobuf
// (local replacements, so nothing is downloaded) at v1.3.0, whose v1.4.0
// changes what Version returns: package a tests that value, package b has
// a test that always fails and one that tests that value, and the root
// package's test is what fakeProtolift breaks.
func fixtureModule(t *testing.T) string {
	t.Helper()
	dir := tinyModule(t)
	files := map[string]string{
		"go.mod": "module example.com/tiny\n\ngo 1.21\n\nrequire github.com/golang/protobuf v1.3.0\n\n" +
			"replace github.com/golang/protobuf v1.3.0 => ./pbold\n\nreplace github.com/golang/protobuf v1.4.0 => ./pbnew\n",
		"pbold/go.mod": "module github.com/golang/protobuf\n\ngo 1.21\n",
		"pbold/v.go":   "package protobuf\n\nfunc Version() string { return \"v1.3\" }\n",
		"pbnew/go.mod": "module github.com/golang/protobuf\n\ngo 1.21\n",
		"pbnew/v.go":   "package protobuf\n\nfunc Version() string { return \"v1.4\" }\n",
		"a/a.go":       "package a\n\nimport pb \"github.com/golang/protobuf\"\n\n// V is the protobuf version.\nfunc V() string { return pb.Version() }\n",
		"a/a_test.go":  "package a\n\nimport \"testing\"\n\nfunc TestV(t *testing.T) {\n\tif V() != \"v1.3\" {\n\t\tt.Fatal(V())\n\t}\n}\n",
		"b/b_test.go": "package b\n\nimport (\n\t\"testing\"\n\n\t\"example.com/tiny/a\"\n)\n\n" +
			"func TestAlwaysFails(t *testing.T) { t.Fatal(\"always\") }\n\nfunc TestV(t *testing.T) {\n\tif a.V() != \"v1.3\" {\n\t\tt.Fatal(a.V())\n\t}\n}\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// raisingProtolift raises the stand-in golang/protobuf in go.mod and breaks
// the root package's Add.
const raisingProtolift = `#!/bin/sh
case "$1" in
-w)
	sed -i 's/a + b/a - b/' add.go
	sed -i 's/protobuf v1.3.0$/protobuf v1.4.0/' go.mod
	exit 1;;
-l)
	exit 0;;
esac
exit 2
`

// TestHarnessRaiseControl runs the whole cycle on fixtureModule: the
// regressions that the version raise alone causes are the raise's, the one
// the rewrite causes is the rewrites'.
func TestHarnessRaiseControl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command and git")
	}
	t.Setenv("GOPROXY", "off")
	bin := filepath.Join(t.TempDir(), "protolift")
	if err := os.WriteFile(bin, []byte(raisingProtolift), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, bin)
	h.Keep = true
	r := h.Run(context.Background(), Entry{Dir: fixtureModule(t)})
	if r.Error != "" || r.Broken != "" {
		t.Fatalf("error %q, broken %q", r.Error, r.Broken)
	}
	if want := []string{"example.com/tiny", "example.com/tiny/a"}; !reflect.DeepEqual(r.Regress.Tests, want) {
		t.Errorf("regressed packages %q, want %q", r.Regress.Tests, want)
	}
	if want := []string{"example.com/tiny/b TestV"}; !reflect.DeepEqual(r.Regress.Cases, want) {
		t.Errorf("regressed tests %q, want %q", r.Regress.Cases, want)
	}
	c := r.Control
	if c == nil {
		t.Fatal("no control")
	}
	if c.NA != "" || !reflect.DeepEqual(c.Raised, []string{"github.com/golang/protobuf@v1.4.0"}) {
		t.Fatalf("control: n/a %q, raised %q, steps %q", c.NA, c.Raised, c.Steps)
	}
	want := map[string]string{"example.com/tiny": ClassRewrite, "example.com/tiny/a": ClassRaise, "example.com/tiny/b TestV": ClassRaise}
	if !reflect.DeepEqual(c.Class, want) {
		t.Errorf("classes %v, want %v", c.Class, want)
	}
	// The control got the raise and nothing else.
	ctl := filepath.Join(r.WorkDir, "control")
	if data, _ := os.ReadFile(filepath.Join(ctl, "add.go")); !strings.Contains(string(data), "a + b") {
		t.Errorf("the control's add.go is not the baseline's:\n%s", data)
	}
	if !goModRequiresVersion(ctl, v1Module, "v1.4.0") {
		t.Errorf("the control's go.mod does not require %s v1.4.0", v1Module)
	}
	if !r.Regressed() || r.RaiseOnly() || !r.RewriteCaused() {
		t.Errorf("regressed %v, raise only %v, rewrite caused %v", r.Regressed(), r.RaiseOnly(), r.RewriteCaused())
	}

	// -control=false.
	h.NoControl = true
	if r := h.Run(context.Background(), Entry{Dir: fixtureModule(t)}); r.Control != nil || len(r.Regress.Tests) != 2 {
		t.Errorf("with NoControl: control %+v, regressions %q", r.Control, r.Regress.Tests)
	}
}

func goModRequiresVersion(dir, path, version string) bool {
	f := readModFile(dir)
	if f == nil {
		return false
	}
	for _, r := range f.Require {
		if r.Mod.Path == path {
			return r.Mod.Version == version
		}
	}
	return false
}
