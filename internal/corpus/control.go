package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// modFiles are go.mod and go.sum as the baseline preparation left them: with
// the module's download directory they are the whole baseline (preparing
// changes nothing else), so the control is made from them rather than from
// the baseline commit, which leaves out what a .gitignore of the module
// matches.
type modFiles struct {
	mod, sum []byte
	hasSum   bool
}

func readModFiles(dir string) (modFiles, error) {
	var m modFiles
	var err error
	if m.mod, err = os.ReadFile(filepath.Join(dir, "go.mod")); err != nil {
		return m, err
	}
	m.sum, err = os.ReadFile(filepath.Join(dir, "go.sum"))
	switch {
	case err == nil:
		m.hasSum = true
	case !errors.Is(err, fs.ErrNotExist):
		return m, err
	}
	return m, nil
}

func (m modFiles) write(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), m.mod, 0o644); err != nil {
		return err
	}
	sum := filepath.Join(dir, "go.sum")
	if !m.hasSum {
		if err := os.Remove(sum); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.WriteFile(sum, m.sum, 0o644)
}

// isProtobufModule reports whether the control takes path's version from
// the run: golang/protobuf, google.golang.org/protobuf and genproto (with
// the googleapis/api and rpc modules split out of it), the modules whose
// raise migrating to APIv2 needs.
func isProtobufModule(path string) bool {
	return path == v1Module || path == "google.golang.org/protobuf" ||
		path == "google.golang.org/genproto" || strings.HasPrefix(path, "google.golang.org/genproto/")
}

// Raises lists, sorted, the protobuf modules whose requirement in the go.mod
// after the run (after) is new or differs from the baseline's (before), as
// module@version for go get. A protobuf module the run dropped from go.mod
// is left as the baseline has it.
func Raises(before, after []byte) ([]string, error) {
	bf, err := modfile.ParseLax("go.mod", before, nil)
	if err != nil {
		return nil, err
	}
	af, err := modfile.ParseLax("go.mod", after, nil)
	if err != nil {
		return nil, err
	}
	was := map[string]string{}
	for _, r := range bf.Require {
		was[r.Mod.Path] = r.Mod.Version
	}
	set := map[string]bool{}
	for _, r := range af.Require {
		if isProtobufModule(r.Mod.Path) && was[r.Mod.Path] != r.Mod.Version {
			set[r.Mod.Path+"@"+r.Mod.Version] = true
		}
	}
	return sortedKeys(set), nil
}

// regressedPackages are the packages the control tests: those that
// regressed and those with a regressed test, sorted.
func regressedPackages(g *Regress) []string {
	set := map[string]bool{}
	for _, pkg := range g.Tests {
		set[pkg] = true
	}
	for _, c := range g.Cases {
		pkg, _, _ := strings.Cut(c, " ")
		set[pkg] = true
	}
	return sortedKeys(set)
}

// ControlRun makes and runs the raise-only control of a module whose tests
// regressed (src holds the run's result, base the baseline's go.mod and
// go.sum) in work/control, and classifies each regression.
func (h *Harness) ControlRun(ctx context.Context, e Entry, r *Result, src, work string, base modFiles) *Control {
	start := time.Now()
	c := &Control{}
	defer func() { c.Seconds = secs(time.Since(start)) }()
	after, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		c.NA = "reading the run's go.mod: " + err.Error()
		return c
	}
	if c.Raised, err = Raises(base.mod, after); err != nil {
		c.NA = "reading go.mod: " + err.Error()
		return c
	}
	if len(c.Raised) == 0 {
		// Nothing raised: the control is the baseline, where every
		// regressed test passed.
		c.Class = Classify(r.Baseline.State, *r.After, r.Regress, c)
		return c
	}

	dir := filepath.Join(work, "control")
	if err := copyTree(r.Baseline.Dir, dir); err != nil {
		c.NA = "copying the baseline: " + err.Error()
		return c
	}
	if err := base.write(dir); err != nil {
		c.NA = "copying the baseline: " + err.Error()
		return c
	}
	step := func(args ...string) cmdResult {
		c.Steps = append(c.Steps, strings.Join(args, " "))
		return run(ctx, dir, h.StepTimeout, args[0], args[1:]...)
	}
	if res := step(append([]string{"go", "get"}, c.Raised...)...); !res.ok() {
		c.NA = "go get: " + headLines(strings.TrimSpace(res.combined()), 5)
		return c
	}
	// As for the baseline: go mod tidy only when the go command asks for it.
	if stale := staleList(e, step); stale != "" {
		if res := tidy(step); !res.ok() {
			c.NA = "go mod tidy: " + headLines(strings.TrimSpace(res.combined()), 5)
			return c
		}
	}
	tags := tagArgs(e)
	if res := step(append(append([]string{"go", "build"}, tags...), "./...")...); !res.ok() {
		c.NA = "go build ./...: " + strings.Join(firstN(BuildFailures(res.combined(), dir), 3), "; ")
		return c
	}
	// The whole of each package, as the check after the run tested it: a
	// test that did not run there because an earlier one panicked does not
	// run here either when the raise alone makes that panic.
	args := append([]string{"go", "test", "-json", "-count=1", "-timeout=" + h.TestTimeout.String()}, tags...)
	res := step(append(args, regressedPackages(r.Regress)...)...)
	out := []byte(res.Stdout)
	c.Tests, c.TestFailOut = ParseTestJSON(out)
	c.Cases = ParseTestCases(out)
	c.NotBuilt = NotBuilt(out)
	if len(c.Tests) == 0 {
		c.NA = "go test printed no result: " + headLines(strings.TrimSpace(res.combined()), 5)
		return c
	}
	c.Class = Classify(r.Baseline.State, *r.After, r.Regress, c)
	return c
}

// staleList runs go list over the packages and their tests: it returns the
// go command's complaint when go.mod and go.sum are not complete for what
// build, vet and test need and go mod tidy fixes it, else "".
func staleList(e Entry, step func(args ...string) cmdResult) string {
	args := append([]string{"go", "list", "-deps", "-test"}, tagArgs(e)...)
	res := step(append(args, "./...")...)
	if !res.ok() && staleModule(res.Stderr) {
		return firstMatchingLine(res.Stderr)
	}
	return ""
}

// tidy runs go mod tidy, and go mod tidy -e when that fails.
func tidy(step func(args ...string) cmdResult) cmdResult {
	res := step("go", "mod", "tidy")
	if !res.ok() {
		res = step("go", "mod", "tidy", "-e")
	}
	return res
}

// Classify gives each regression of g its class by the control's results
// (c.Tests, c.Cases, c.NotBuilt; with nothing raised, c is the baseline and
// every regression is the rewrites'):
//
//   - a package (g.Tests) is the raise's when it fails in the control too
//     and no top-level test it lost in the run (passed before, not after)
//     passes there; the rewrites' when it passes there, or one of those
//     tests does (protolift then adds a failure of its own);
//   - a test (g.Cases) is the raise's when it does not pass in the control
//     (fails, or does not run because an earlier test killed the binary,
//     as after the run), the rewrites' when it passes or is skipped there;
//   - either is n/a when the control has no result for its package or its
//     test binary does not build there.
func Classify(before, after State, g *Regress, c *Control) map[string]string {
	class := map[string]string{}
	if len(c.Raised) == 0 {
		for _, pkg := range g.Tests {
			class[pkg] = ClassRewrite
		}
		for _, key := range g.Cases {
			class[key] = ClassRewrite
		}
		return class
	}
	notBuilt := map[string]bool{}
	for _, pkg := range c.NotBuilt {
		notBuilt[pkg] = true
	}
	passes := func(st string) bool { return st == StatusPass || st == StatusSkip }
	for _, pkg := range g.Tests {
		switch {
		case notBuilt[pkg] || c.Tests[pkg] == "":
			class[pkg] = ClassNA
		case passes(c.Tests[pkg]):
			class[pkg] = ClassRewrite
		default:
			class[pkg] = ClassRaise
			for key, st := range before.TestCases {
				if strings.HasPrefix(key, pkg+" ") && st == StatusPass && after.TestCases[key] != StatusPass && passes(c.Cases[key]) {
					class[pkg] = ClassRewrite
					break
				}
			}
		}
	}
	for _, key := range g.Cases {
		pkg, _, _ := strings.Cut(key, " ")
		switch {
		case notBuilt[pkg] || c.Tests[pkg] == "":
			class[key] = ClassNA
		case passes(c.Cases[key]):
			class[key] = ClassRewrite
		default:
			class[key] = ClassRaise
		}
	}
	return class
}

// ClassCount is how many regressed packages and tests a class has.
type ClassCount struct {
	Class       string
	Pkgs, Tests int
}

// CountClasses counts c's classes in the order raise, rewrite, n/a,
// leaving out empty ones. A regressed test's key is "package TestName"; a
// package's has no space.
func CountClasses(c *Control) []ClassCount {
	var out []ClassCount
	for _, cl := range []string{ClassRaise, ClassRewrite, ClassNA} {
		n := ClassCount{Class: cl}
		for key, k := range c.Class {
			if k != cl {
				continue
			}
			if strings.Contains(key, " ") {
				n.Tests++
			} else {
				n.Pkgs++
			}
		}
		if n.Pkgs+n.Tests > 0 {
			out = append(out, n)
		}
	}
	return out
}

// ClassKeys lists, sorted, the regressions of c that have class cl.
func ClassKeys(c *Control, cl string) []string {
	var out []string
	for key, k := range c.Class {
		if k == cl {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}
