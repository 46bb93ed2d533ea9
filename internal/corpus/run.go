package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/protolift/protolift/internal/genheader"
	"golang.org/x/mod/modfile"
)

// Harness runs the cycle for one entry at a time; it holds no per-module
// state, so several entries may run at once.
type Harness struct {
	Protolift   string        // protolift binary
	TmpRoot     string        // parent of the per-module work dirs ("" = os.TempDir)
	TestTimeout time.Duration // go test -timeout (per test binary)
	StepTimeout time.Duration // limit for each go command and protolift run
	Keep        bool          // keep the work dir
	NoControl   bool          // no raise-only control for modules whose tests regressed
	Log         func(format string, args ...any)
}

const v1Module = "github.com/golang/protobuf"

// cmdResult is what one child process did.
type cmdResult struct {
	Stdout, Stderr string
	Exit           int // -1 when it could not start or was killed
	Wall           time.Duration
	MaxRSSKB       int64
	TimedOut       bool
	Err            error
}

func (c cmdResult) ok() bool { return c.Exit == 0 }

// combined is stderr then stdout, as a person would read them.
func (c cmdResult) combined() string {
	s := c.Stderr
	if c.Stdout != "" {
		if s != "" && !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		s += c.Stdout
	}
	if c.TimedOut {
		s += "\n(killed: step timeout)"
	}
	if c.Err != nil && c.Exit == -1 && !c.TimedOut {
		s += "\n" + c.Err.Error()
	}
	return s
}

// env is the environment of every child: the caller's, outside any
// workspace, with the local toolchain only.
func env() []string {
	return append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GO111MODULE=on")
}

// run runs name args in dir, killing its whole process group after timeout.
func run(ctx context.Context, dir string, timeout time.Duration, name string, args ...string) cmdResult {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := cmdResult{Stdout: stdout.String(), Stderr: stderr.String(), Wall: time.Since(start), Err: err}
	if cmd.ProcessState != nil {
		res.Exit = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.MaxRSSKB = int64(ru.Maxrss) // kilobytes on Linux
		}
	} else {
		res.Exit = -1
	}
	if ctx.Err() != nil {
		res.TimedOut = true
		res.Exit = -1
	}
	return res
}

func (h *Harness) logf(format string, args ...any) {
	if h.Log != nil {
		h.Log(format, args...)
	}
}

func tagArgs(e Entry) []string {
	if e.Tags == "" {
		return nil
	}
	return []string{"-tags=" + e.Tags}
}

// Run does the whole cycle for one entry.
func (h *Harness) Run(ctx context.Context, e Entry) *Result {
	start := time.Now()
	r := &Result{Entry: e, Name: e.Name()}
	defer func() { r.TotalSeconds = secs(time.Since(start)) }()

	work, err := os.MkdirTemp(h.TmpRoot, "corpus-")
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.WorkDir = work
	if !h.Keep {
		defer func() {
			makeWritable(work)
			os.RemoveAll(work)
			r.WorkDir = ""
		}()
	}
	src := filepath.Join(work, "src")
	if err := h.fetch(ctx, e, work, src, r); err != nil {
		r.Error = err.Error()
		return r
	}
	h.logf("%s: preparing the baseline", r.Name)
	if !h.prepare(ctx, e, src, r) {
		r.BaselineSeconds = secs(time.Since(start))
		return r
	}
	r.BaselineSeconds = secs(time.Since(start))
	base, err := readModFiles(src)
	if err != nil {
		r.Error = "reading the baseline's go.mod: " + err.Error()
		return r
	}
	if err := gitCommit(ctx, src); err != nil {
		r.Error = "git: " + err.Error()
		return r
	}
	r.V1Before, _ = v1Files(src)
	r.GoModV1Before = goModRequires(src, v1Module)

	h.logf("%s: protolift -w ./...", r.Name)
	r.Run = h.protolift(ctx, e, src)

	h.logf("%s: re-checking build, vet, tests", r.Name)
	after := h.check(ctx, e, src)
	r.After = &after
	r.Regress = compare(r.Baseline.State, after)
	if len(r.Regress.Tests) > 0 || len(r.Regress.Cases) > 0 {
		h.retry(ctx, e, src, r)
	}

	h.logf("%s: protolift -l ./...", r.Name)
	args := append([]string{"-l"}, tagArgs(e)...)
	args = append(args, "./...")
	rl := run(ctx, src, h.StepTimeout, h.Protolift, args...)
	r.Relist = &Relist{Exit: rl.Exit, StderrTail: tailLines(rl.Stderr, 20)}
	for _, l := range strings.Split(rl.Stdout, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			r.Relist.Files = append(r.Relist.Files, l)
		}
	}
	r.Relist.Idempotent = len(r.Relist.Files) == 0 && rl.Exit >= 0 && rl.Exit <= 1
	r.Relist.Late = LateFindings(r.Run.diags, rl.Stderr)

	var gen int
	r.V1After, gen = v1Files(src)
	r.V1GenAfter = gen
	r.GoModV1After = goModRequires(src, v1Module)

	if !h.NoControl && (len(r.Regress.Tests) > 0 || len(r.Regress.Cases) > 0) {
		h.logf("%s: raise-only control", r.Name)
		r.Control = h.ControlRun(ctx, e, r, src, work, base)
	}
	return r
}

// fetch puts a writable copy of the module (or local directory) at src.
func (h *Harness) fetch(ctx context.Context, e Entry, work, src string, r *Result) error {
	from := e.Dir
	if from == "" {
		h.logf("%s: go mod download", r.Name)
		res := run(ctx, work, h.StepTimeout, "go", "mod", "download", "-json", e.Module+"@"+e.Version)
		var info struct{ Dir, Error string }
		if err := json.Unmarshal([]byte(res.Stdout), &info); err != nil || info.Error != "" || info.Dir == "" {
			msg := info.Error
			if msg == "" {
				msg = strings.TrimSpace(res.combined())
			}
			return fmt.Errorf("go mod download: %s", msg)
		}
		from = info.Dir
	}
	r.Baseline.Dir = from
	return copyTree(from, src)
}

// prepare makes a baseline that builds and records its state; false when
// the baseline is broken (r.Broken says why) or the harness failed.
func (h *Harness) prepare(ctx context.Context, e Entry, src string, r *Result) bool {
	b := &r.Baseline
	step := func(args ...string) cmdResult {
		b.Steps = append(b.Steps, strings.Join(args, " "))
		return run(ctx, src, h.StepTimeout, args[0], args[1:]...)
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		if e.Dir != "" {
			r.Broken = "no go.mod in " + e.Dir
			return false
		}
		b.NoGoMod = true
		if res := step("go", "mod", "init", e.Module); !res.ok() {
			r.Broken = "go mod init: " + headLines(res.combined(), 5)
			return false
		}
	}
	for _, p := range e.Pins {
		if res := step("go", "mod", "edit", "-require="+p); !res.ok() {
			r.Broken = "go mod edit: " + headLines(res.combined(), 5)
			return false
		}
	}
	if b.NoGoMod || len(e.Pins) > 0 {
		b.Tidied = true
		b.TidyWhy = "no go.mod, or pinned requirements"
		if res := tidy(step); !res.ok() {
			r.Broken = "go mod tidy: " + headLines(res.combined(), 8)
			return false
		}
	} else {
		// go list over the packages and their tests tells whether go.mod and
		// go.sum are complete for what build, vet and test need.
		if stale := staleList(e, step); stale != "" {
			b.Tidied = true
			b.TidyWhy = stale
			if res := tidy(step); !res.ok() {
				r.Broken = "go mod tidy: " + headLines(res.combined(), 8)
				return false
			}
		}
	}
	if f := readModFile(src); f != nil && f.Go != nil {
		b.GoVersion = f.Go.Version
	}
	b.State = h.check(ctx, e, src)
	if !b.State.BuildOK {
		r.Broken = "go build ./...: " + strings.Join(firstN(b.State.BuildErrors, 3), "; ")
		return false
	}
	return true
}

// staleModule reports whether the go command's complaint is one go mod tidy
// fixes.
func staleModule(stderr string) bool {
	for _, s := range []string{"go.sum", "go mod tidy", "updates to go.mod needed", "no required module provides", "go: inconsistent vendoring", "missing go.sum entry", "go mod download"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

func firstMatchingLine(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if staleModule(l) {
			return strings.TrimSpace(l)
		}
	}
	return headLines(stderr, 1)
}

// check records build, vet and test results.
func (h *Harness) check(ctx context.Context, e Entry, src string) State {
	var s State
	tags := tagArgs(e)
	build := run(ctx, src, h.StepTimeout, "go", append(append([]string{"build"}, tags...), "./...")...)
	s.BuildOK = build.ok()
	if !s.BuildOK {
		s.BuildErrors = BuildFailures(build.combined(), src)
	}
	vet := run(ctx, src, h.StepTimeout, "go", append(append([]string{"vet"}, tags...), "./...")...)
	s.Vet = NormalizeVet(vet.Stderr+"\n"+vet.Stdout, src)
	if !s.BuildOK {
		return s
	}
	args := append([]string{"test", "-json", "-count=1", "-timeout=" + h.TestTimeout.String()}, tags...)
	if len(e.Test) > 0 {
		args = append(args, e.Test...)
	} else {
		args = append(args, "./...")
	}
	test := run(ctx, src, h.StepTimeout, "go", args...)
	s.Tests, s.TestFailOut = ParseTestJSON([]byte(test.Stdout))
	s.TestCases = ParseTestCases([]byte(test.Stdout))
	if len(s.Tests) == 0 || test.TimedOut {
		s.TestError = headLines(strings.TrimSpace(test.combined()), 10)
	}
	return s
}

// compare finds what got worse from before to after.
func compare(before, after State) *Regress {
	g := &Regress{}
	if before.BuildOK && !after.BuildOK {
		g.BuildBad = true
		g.Build = after.BuildErrors
	}
	g.Vet = Diff(before.Vet, after.Vet)
	g.Tests = TestRegressions(before.Tests, after.Tests)
	g.Cases = CaseRegressions(before.Tests, before.TestCases, after.TestCases)
	return g
}

// retry runs each regressed test package once more; one that passes now is
// reported as flaky and not counted.
func (h *Harness) retry(ctx context.Context, e Entry, src string, r *Result) {
	if len(r.Regress.Tests) > 10 || r.Regress.BuildBad {
		return
	}
	var still []string
	for _, pkg := range r.Regress.Tests {
		args := append([]string{"test", "-json", "-count=1", "-timeout=" + h.TestTimeout.String()}, tagArgs(e)...)
		res := run(ctx, src, h.StepTimeout, "go", append(args, pkg)...)
		st, _ := ParseTestJSON([]byte(res.Stdout))
		if st[pkg] == StatusPass {
			r.Regress.Flaky = append(r.Regress.Flaky, pkg)
		} else {
			still = append(still, pkg)
		}
	}
	r.Regress.Tests = still
	// Single tests of packages that failed before: each package once more,
	// only those tests.
	byPkg := map[string][]string{}
	var pkgs []string
	for _, c := range r.Regress.Cases {
		pkg, name, _ := strings.Cut(c, " ")
		if byPkg[pkg] == nil {
			pkgs = append(pkgs, pkg)
		}
		byPkg[pkg] = append(byPkg[pkg], name)
	}
	if len(pkgs) > 10 {
		return
	}
	var stillCases []string
	for _, pkg := range pkgs {
		args := append([]string{"test", "-json", "-count=1", "-timeout=" + h.TestTimeout.String()}, tagArgs(e)...)
		args = append(args, "-run=^("+strings.Join(byPkg[pkg], "|")+")$", pkg)
		res := run(ctx, src, h.StepTimeout, "go", args...)
		cases := ParseTestCases([]byte(res.Stdout))
		for _, name := range byPkg[pkg] {
			if cases[pkg+" "+name] == StatusPass {
				r.Regress.Flaky = append(r.Regress.Flaky, pkg+" "+name)
			} else {
				stillCases = append(stillCases, pkg+" "+name)
			}
		}
	}
	r.Regress.Cases = stillCases
}

// protolift runs protolift -w ./... and measures it and the diff it left.
func (h *Harness) protolift(ctx context.Context, e Entry, src string) *Run {
	// -json: the report gives the rule edits the churn figure needs; the
	// diagnostics are the ones -w alone prints on stderr.
	args := append([]string{"-w", "-json"}, tagArgs(e)...)
	args = append(args, "./...")
	res := run(ctx, src, h.StepTimeout, h.Protolift, args...)
	rep := parseReport(res.Stdout)
	diags := res.Stderr
	if rep != nil {
		diags = rep.diagLines(src) + res.Stderr
	}
	p := &Run{
		Args:        append([]string{"protolift"}, args...),
		Exit:        res.Exit,
		WallSeconds: secs(res.Wall),
		MaxRSSKB:    res.MaxRSSKB,
		ByRule:      CountByRule(diags),
		StderrTail:  tailLines(diags, 30),
		TimedOut:    res.TimedOut,
		diags:       diags,
	}
	for _, c := range p.ByRule {
		p.Diagnostics += c
	}
	if res.Err != nil && res.Exit == -1 && !res.TimedOut {
		p.StderrTail += "\n" + res.Err.Error()
	}
	git(ctx, src, "add", "-A")
	ns := git(ctx, src, "diff", "--cached", "--numstat")
	for _, l := range strings.Split(ns.Stdout, "\n") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			continue
		}
		p.FilesChanged++
		p.Changed = append(p.Changed, f[2])
		a, _ := strconv.Atoi(f[0]) // "-" for binary files
		d, _ := strconv.Atoi(f[1])
		p.LinesAdded += a
		p.LinesDeleted += d
	}
	if rep != nil {
		p.Churn = measureChurn(ctx, src, rep)
	}
	return p
}

func git(ctx context.Context, dir string, args ...string) cmdResult {
	args = append([]string{"-c", "user.name=corpus", "-c", "user.email=corpus@localhost", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"}, args...)
	return run(ctx, dir, 5*time.Minute, "git", args...)
}

// gitCommit commits the baseline into a throwaway repository.
func gitCommit(ctx context.Context, dir string) error {
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "--no-verify", "-m", "baseline"}} {
		if res := git(ctx, dir, args...); !res.ok() {
			return fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(res.combined()))
		}
	}
	return nil
}

// v1Files lists the hand-written .go files of the module (nested modules,
// vendor and testdata left out, as ./... does) that import
// github.com/golang/protobuf or one of its packages, and counts the
// generated ones that do.
func v1Files(root string) (handWritten []string, generated int) {
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return nil
		}
		if !importsV1(f) {
			return nil
		}
		if genheader.IsGeneratedFile(f) {
			generated++
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		handWritten = append(handWritten, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(handWritten)
	return handWritten, generated
}

func importsV1(f *ast.File) bool {
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err == nil && (p == v1Module || strings.HasPrefix(p, v1Module+"/")) {
			return true
		}
	}
	return false
}

func readModFile(dir string) *modfile.File {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil
	}
	return f
}

// goModRequires reports whether dir/go.mod has a require of path.
func goModRequires(dir, path string) bool {
	f := readModFile(dir)
	if f == nil {
		return false
	}
	for _, r := range f.Require {
		if r.Mod.Path == path {
			return true
		}
	}
	return false
}

// copyTree copies regular files and directories from src to dst, writable
// by the owner (the module cache is read-only); .git is left out.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".git" && path != src {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// makeWritable lets RemoveAll delete what go commands made read-only.
func makeWritable(dir string) {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
}

func secs(d time.Duration) float64 {
	// Milliseconds, and a run that took any time at all never reads 0
	// (a fast fake protolift in the harness test rounded to nothing).
	r := d.Round(time.Millisecond)
	if r == 0 && d > 0 {
		r = time.Millisecond
	}
	return float64(r) / float64(time.Second)
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
