// Package ruletest runs protolift Go rules on golden test cases, in the
// spirit of golang.org/x/tools/go/analysis/analysistest.
//
// A test package keeps its cases in testdata/<case>/: Go files as they are
// before the migration, and for each file the rules change, a
// <file>.golden with the expected result. Expected diagnostics are written
// in the input as comments on the line they refer to:
//
//	_ = proto.GetStats() // want "GetStats has no replacement"
//
// (a regular expression matched against "rule: message"). Check copies
// every case into one temporary module that requires the real
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
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite"
	"github.com/protolift/protolift/rewrite/rule"
)

// templateDir is the module (go.mod and go.sum) every case runs in.
func templateDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "mod")
}

// Check runs rules over every case directory under testdataDir.
func Check(t *testing.T, testdataDir string, rules ...*rule.Rule) {
	t.Helper()
	CheckWith(t, testdataDir, nil, rules...)
}

// CheckWith is Check with rule options set as the command line would
// (`grpc.server` → "unsafe", say).
func CheckWith(t *testing.T, testdataDir string, options map[string]string, rules ...*rule.Rule) {
	t.Helper()
	cases, err := os.ReadDir(testdataDir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(templateDir(), f), filepath.Join(tmp, f))
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
		if !hasGo {
			continue // not a case: it holds another test's cases
		}
		names = append(names, c.Name())
		for _, f := range files {
			if strings.HasSuffix(f.Name(), ".go") {
				copyFile(t, filepath.Join(testdataDir, c.Name(), f.Name()), filepath.Join(tmp, c.Name(), f.Name()))
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("no cases in %s", testdataDir)
	}
	ctx := context.Background()
	res, err := rewrite.Run(ctx, rewrite.Options{Dir: tmp, Rules: rules, RuleOptions: options})
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	changed := map[string]*change.File{}
	for _, f := range res.Files {
		changed[f.Path] = f
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(tmp, name, "*.go"))
			// Files the run creates (helper files) are compared with
			// their golden too.
			for path, f := range changed {
				if f.Created && filepath.Dir(path) == filepath.Join(tmp, name) {
					files = append(files, path)
				}
			}
			for _, path := range files {
				base := filepath.Base(path)
				golden := filepath.Join(testdataDir, name, base+".golden")
				want, err := os.ReadFile(golden)
				if err != nil {
					want, _ = os.ReadFile(path) // no golden: the file must not change
					golden = "(unchanged input)"
				}
				got, _ := os.ReadFile(path)
				if f := changed[path]; f != nil {
					got = f.New
				}
				if !bytes.Equal(got, want) {
					if os.Getenv("PROTOLIFT_UPDATE_GOLDEN") != "" {
						if err := os.WriteFile(filepath.Join(testdataDir, name, base+".golden"), got, 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					t.Errorf("%s/%s: result differs from %s\n--- got ---\n%s", name, base, golden, got)
				}
			}
			checkWants(t, files, res.Diags)
		})
	}
	// Write the results and prove the second run is a no-op.
	for path, f := range changed {
		if err := os.WriteFile(path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again, err := rewrite.Run(ctx, rewrite.Options{Dir: tmp, Rules: rules, RuleOptions: options})
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	for _, f := range again.Files {
		rel, _ := filepath.Rel(tmp, f.Path)
		t.Errorf("second run changed %s (rules are not idempotent):\n%s", rel, f.New)
	}
	// One run reports everything: a finding the second run makes must
	// have been made by the first (lines may have moved).
	first := map[string]bool{}
	for _, d := range res.Diags {
		first[d.Path+"\x00"+d.Rule+"\x00"+lineFree(d.Message)] = true
	}
	for _, d := range again.Diags {
		if !first[d.Path+"\x00"+d.Rule+"\x00"+lineFree(d.Message)] {
			rel, _ := filepath.Rel(tmp, d.Path)
			t.Errorf("%s:%d: reported only on the second run: %s: %s", rel, d.Start.Line, d.Rule, d.Message)
		}
	}
	// The rewritten code must type-check against the real libraries.
	cfg := &packages.Config{Mode: packages.NeedTypes | packages.NeedName, Dir: tmp, Tests: true, Env: append(os.Environ(), "GOFLAGS=-mod=readonly")}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			t.Errorf("rewritten code does not type-check: %v", e)
		}
	})
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
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
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
