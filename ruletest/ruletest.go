// Package ruletest runs protolift Go rules on golden test cases, in the
// spirit of golang.org/x/tools/go/analysis/analysistest.
//
// A test package keeps its cases in testdata/<case>/: Go files as they are
// before the migration, and for each file the rules change, a
// <file>.golden with the expected result. Other files of the case (not
// named *.golden) are copied into the module beside the Go files. Expected diagnostics are written
// in the input as comments on the line they refer to:
//
//	_ = proto.GetStats() // want "GetStats has no replacement"
//
// (a regular expression matched against "rule: message"). Check copies
// the selected cases into one temporary module that requires the real
// github.com/golang/protobuf, google.golang.org/protobuf and
// google.golang.org/grpc, runs the rules, compares files and diagnostics,
// then proves that a second run changes nothing and that the rewritten
// module type-checks against the real target libraries.
package ruletest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/stage/rewrite"
)

// Golden runs check that rules record every change they make to the tree,
// so the inspector the rules share is never stale (rule.CheckIndex).
func init() { rule.CheckIndex = true }

// templateDir is the module (go.mod and go.sum) every case runs in.
func templateDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "mod")
}

// OldHeaderPB returns protoc-gen-go output from before March 2017 (the
// header's "// DO NOT EDIT!" on a line of its own, no versions block,
// which the go command's convention and go/ast.IsGenerated do not
// recognise), reduced from go-grpc-prometheus v1.2.0's
// examples/testproto/test.pb.go: package testproto, one message
// PingRequest.
func OldHeaderPB(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(templateDir()), "oldheader", "test.pb.go"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Check runs rules over every case directory under testdataDir.
func Check(t *testing.T, testdataDir string, rules ...*rule.Rule) {
	t.Helper()
	CheckWith(t, testdataDir, nil, rules...)
}

// CheckWith is Check with rule options set as the command line would
// (`grpc.server` → "unsafe", say).
//
// Each case is a subtest named after the rules and the case directory
// (`grpc.errors`, `protov1.proto_codec`, `grpc.server.unimplemented.server`),
// so `-run 'TestGolden/grpc.errors'` runs, and rewrites, only that case.
// The selected cases share one module and one run of the rules: every
// subtest registers its case and pauses (t.Parallel); once the parent has
// seen them all, the first subtest to resume migrates the selected cases
// together and each then checks its own files.
func CheckWith(t *testing.T, testdataDir string, options map[string]string, rules ...*rule.Rule) {
	t.Helper()
	cases, err := os.ReadDir(testdataDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(testdataDir, c.Name()))
		hasGo := false
		for _, f := range files {
			hasGo = hasGo || strings.HasSuffix(f.Name(), ".go")
		}
		if hasGo { // else not a case: it holds another test's cases
			names = append(names, c.Name())
		}
	}
	if len(names) == 0 {
		t.Fatalf("no cases in %s", testdataDir)
	}
	prefix := casePrefix(rules)
	// The parent owns the module: it is removed after every subtest ended.
	b := &batch{dir: testdataDir, options: options, rules: rules, tmp: t.TempDir()}
	for _, name := range names {
		t.Run(prefix+name, func(t *testing.T) {
			b.selected = append(b.selected, name) // before t.Parallel: runs while the parent loops
			t.Parallel()
			b.once.Do(func() { b.run(t) })
			b.check(t, name)
		})
	}
}

// casePrefix is the part of the rule names all rules share, up to a dot
// ("grpc." for the grpc group), or the one rule's name and a dot.
func casePrefix(rules []*rule.Rule) string {
	if len(rules) == 0 {
		return ""
	}
	if len(rules) == 1 {
		return rules[0].Name + "."
	}
	p := rules[0].Name
	for _, r := range rules[1:] {
		for !strings.HasPrefix(r.Name, p) {
			p = p[:len(p)-1]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i+1]
	}
	return ""
}

// batch is one run of the rules over the selected cases.
type batch struct {
	dir      string
	options  map[string]string
	rules    []*rule.Rule
	selected []string
	once     sync.Once

	tmp     string
	err     error                   // the first run failed: every case fails
	changed map[string]*change.File // first run, by path
	diags   []change.Diagnostic
	again   map[string][]byte // second run's changes (should be none), by path
	// againDiags are the second run's findings: each must have been made
	// by the first run too (one run reports everything).
	againDiags []change.Diagnostic
	typeErr    map[string][]string // type errors of the rewritten code, by case
}

func (b *batch) run(t *testing.T) {
	start := time.Now()
	tmp := b.tmp
	defer func() {
		t.Logf("migrated %d case(s) of %s in %v", len(b.selected), b.dir, time.Since(start).Round(time.Millisecond))
	}()
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := copyFileErr(filepath.Join(templateDir(), f), filepath.Join(tmp, f)); err != nil {
			b.err = err
			return
		}
	}
	for _, name := range b.selected {
		files, _ := os.ReadDir(filepath.Join(b.dir, name))
		for _, f := range files {
			// Go files, and the other files a case keeps beside them (a
			// golden text file some rule looks for); not the goldens of
			// this harness.
			if f.Type().IsRegular() && !strings.HasSuffix(f.Name(), ".golden") {
				if err := copyFileErr(filepath.Join(b.dir, name, f.Name()), filepath.Join(tmp, name, f.Name())); err != nil {
					b.err = err
					return
				}
			}
		}
	}
	ctx := context.Background()
	res, err := rewrite.Run(ctx, rewrite.Options{Dir: tmp, Rules: b.rules, RuleOptions: b.options})
	if err != nil {
		b.err = fmt.Errorf("first run: %v", err)
		return
	}
	b.changed = map[string]*change.File{}
	for _, f := range res.Files {
		b.changed[f.Path] = f
	}
	b.diags = res.Diags
	// Write the results and prove the second run is a no-op.
	for path, f := range b.changed {
		if err := os.WriteFile(path, f.New, 0o644); err != nil {
			b.err = err
			return
		}
	}
	again, err := rewrite.Run(ctx, rewrite.Options{Dir: tmp, Rules: b.rules, RuleOptions: b.options})
	if err != nil {
		b.err = fmt.Errorf("second run: %v", err)
		return
	}
	b.again = map[string][]byte{}
	for _, f := range again.Files {
		b.again[f.Path] = f.New
	}
	b.againDiags = again.Diags
	// The rewritten code must type-check against the real libraries.
	cfg := &packages.Config{Mode: packages.NeedTypes | packages.NeedName, Dir: tmp, Tests: true, Env: append(os.Environ(), "GOFLAGS=-mod=readonly")}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		b.err = fmt.Errorf("loading the rewritten code: %v", err)
		return
	}
	b.typeErr = map[string][]string{}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			c, _, _ := strings.Cut(strings.TrimPrefix(p.PkgPath, "example.com/cases/"), "/")
			b.typeErr[c] = append(b.typeErr[c], e.Error())
		}
	})
}

// check compares one case's files and diagnostics with its goldens.
func (b *batch) check(t *testing.T, name string) {
	t.Helper()
	if b.err != nil {
		t.Fatal(b.err)
	}
	files, _ := filepath.Glob(filepath.Join(b.tmp, name, "*.go"))
	// Files the run creates (helper files) are compared with their
	// golden too.
	for path, f := range b.changed {
		if f.Created && filepath.Dir(path) == filepath.Join(b.tmp, name) && !slices.Contains(files, path) {
			files = append(files, path)
		}
	}
	for _, path := range files {
		base := filepath.Base(path)
		golden := filepath.Join(b.dir, name, base+".golden")
		want, err := os.ReadFile(golden)
		if err != nil {
			want, _ = os.ReadFile(filepath.Join(b.dir, name, base)) // no golden: the file must not change
			golden = "(unchanged input)"
		}
		got, _ := os.ReadFile(filepath.Join(b.dir, name, base))
		if f := b.changed[path]; f != nil {
			got = f.New
		}
		if !bytes.Equal(got, want) {
			if os.Getenv("PROTOLIFT_UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(filepath.Join(b.dir, name, base+".golden"), got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("%s/%s: result differs from %s\n--- got ---\n%s", name, base, golden, got)
		}
		if again, ok := b.again[path]; ok {
			t.Errorf("second run changed %s/%s (rules are not idempotent):\n%s", name, base, again)
		}
	}
	// Want comments are read from the case's input files.
	var inputs []string
	for _, path := range files {
		inputs = append(inputs, filepath.Join(b.dir, name, filepath.Base(path)))
	}
	checkWants(t, inputs, b.inputDiags(name, b.diags))
	first := map[string]bool{}
	for _, d := range b.inputDiags(name, b.diags) {
		first[d.Path+"\x00"+d.Rule+"\x00"+lineFree(d.Message)] = true
	}
	for _, d := range b.inputDiags(name, b.againDiags) {
		if !first[d.Path+"\x00"+d.Rule+"\x00"+lineFree(d.Message)] {
			t.Errorf("%s:%d: reported only on the second run: %s: %s", filepath.Base(d.Path), d.Start.Line, d.Rule, d.Message)
		}
	}
	for _, e := range b.typeErr[name] {
		t.Errorf("rewritten code does not type-check: %v", e)
	}
}

// inputDiags returns the case's diagnostics with paths moved from the
// temporary module to the testdata input, where the want comments are.
func (b *batch) inputDiags(name string, diags []change.Diagnostic) []change.Diagnostic {
	var out []change.Diagnostic
	dir := filepath.Join(b.tmp, name) + string(filepath.Separator)
	for _, d := range diags {
		if strings.HasPrefix(d.Path, dir) && !strings.Contains(d.Path[len(dir):], string(filepath.Separator)) {
			d.Path = filepath.Join(b.dir, name, d.Path[len(dir):])
			out = append(out, d)
		}
	}
	return out
}

// lineFree drops the file:line references a message may carry (they
// move when the first run rewrites the file).
func lineFree(msg string) string { return lineRef.ReplaceAllString(msg, "${1}N") }

var lineRef = regexp.MustCompile(`([\w.]+\.go:|\bline )\d+`)

var wantRE = regexp.MustCompile(`// want "((?:[^"\\]|\\.)*)"`)

// checkWants matches diagnostics in files against `// want "re"` comments.
func checkWants(t *testing.T, files []string, diags []change.Diagnostic) {
	t.Helper()
	type key struct {
		file string
		line int
	}
	wants := map[key][]*regexp.Regexp{}
	for _, path := range files {
		data, _ := os.ReadFile(path)
		for i, l := range strings.Split(string(data), "\n") {
			for _, m := range wantRE.FindAllStringSubmatch(l, -1) {
				re, err := regexp.Compile(strings.ReplaceAll(m[1], `\"`, `"`))
				if err != nil {
					t.Fatalf("%s:%d: bad want pattern: %v", path, i+1, err)
				}
				wants[key{path, i + 1}] = append(wants[key{path, i + 1}], re)
			}
		}
	}
	inCase := map[string]bool{}
	for _, f := range files {
		inCase[f] = true
	}
	var unexpected []string
	for _, d := range diags {
		if !inCase[d.Path] {
			continue
		}
		k := key{d.Path, d.Start.Line}
		text := d.Rule + ": " + d.Message
		matched := false
		for i, re := range wants[k] {
			if re.MatchString(text) {
				wants[k] = append(wants[k][:i], wants[k][i+1:]...)
				matched = true
				break
			}
		}
		if !matched {
			unexpected = append(unexpected, fmt.Sprintf("%s:%d: unexpected diagnostic: %s", filepath.Base(d.Path), d.Start.Line, text))
		}
	}
	for k, res := range wants {
		for _, re := range res {
			unexpected = append(unexpected, fmt.Sprintf("%s:%d: no diagnostic matching %q", filepath.Base(k.file), k.line, re))
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Error(u)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := copyFileErr(from, to); err != nil {
		t.Fatal(err)
	}
}

func copyFileErr(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// TempModule makes a temporary module with the go.mod and go.sum of the
// golden cases (the real golang/protobuf, protobuf, grpc and genproto) and
// copies files into it (path inside the module → source file), for tests
// that run migrated code rather than compare it.
func TempModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(templateDir(), name), filepath.Join(dir, name))
	}
	for rel, from := range files {
		copyFile(t, from, filepath.Join(dir, filepath.FromSlash(rel)))
	}
	return dir
}

// TempModuleFile copies one more file into a module TempModule made.
func TempModuleFile(t *testing.T, from, to string) {
	t.Helper()
	copyFile(t, from, to)
}
