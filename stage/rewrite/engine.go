// Package rewrite is protolift's Go stage: it finds the packages that use
// legacy protobuf/gRPC APIs, loads only those with full type information,
// runs the enabled rules on decorated syntax trees and returns the new
// content of every file it would change. It never writes files.
package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/rule"
)

// Options configure one run of the Go stage.
type Options struct {
	// Dir is where package patterns are resolved (the module root or a
	// directory inside it). Empty means the current directory.
	Dir string
	// Patterns are package patterns as the go command takes them; empty
	// means "./...".
	Patterns []string
	// Rules are the enabled rules, in the order they run.
	Rules []*rule.Rule
	// Tags are extra build tags (as go build -tags).
	Tags []string
	// Overlay maps absolute file names to content that replaces (or adds
	// to) what is on disk: earlier stages' output in a full run.
	Overlay map[string][]byte
	// ModFile, if set, is an alternate go.mod (with its go.sum beside it)
	// to load packages with: a full run uses it to see the requirements
	// that regenerated code needs before they are written.
	ModFile string
	// BatchSize bounds how many package directories are type-checked at
	// once, which bounds memory on large trees. 0 means 256.
	BatchSize int
	// Progress, if set, is told how many of the selected packages are done.
	Progress func(done, total int)
	// RuleOptions are settings rules read with Pass.Option.
	RuleOptions map[string]string
	// Disabled maps a file to the rules that must not run on it (the
	// name "*" disables every rule): verification withdraws a rewrite
	// that breaks the build by running the stage again without it.
	Disabled map[string]map[string]bool
	// KeepGoing skips packages that do not type-check instead of failing
	// the run, reporting each: a full run uses it after earlier stages
	// changed the module, whose breakage verification then withdraws.
	KeepGoing bool
}

// VerifyRule names findings about changes withdrawn because the result
// did not type-check, and packages skipped because they did not.
const VerifyRule = "protolift.verify"

// Result is the stage's output.
type Result struct {
	change.Set
	// Requires maps module paths to the minimum version the rewritten code
	// needs (for example google.golang.org/protobuf v1.25.0 for
	// timestamppb.New).
	Requires map[string]string `json:"requires,omitempty"`
	// Module is the module the run worked on.
	Module *modroot.Module `json:"-"`
	// Loaded counts the packages that were type-checked (for benchmarks).
	Loaded int `json:"-"`
	// Configs are the extra build configurations the stage loaded (files
	// the default one excludes, such as `//go:build integration`): the
	// result must be verified under them too.
	Configs []Config `json:"-"`

	helpers []helperWant // see helpers.go
}

// Config is a build configuration: tags, and the package directories
// that need it.
type Config struct {
	Tags []string
	Dirs []string
}

// Meta rule names for findings that are about the run, not a rewrite.
const (
	GeneratedRule = "protolift.generated"
	BuildTagsRule = "protolift.buildtags"
	SkippedRule   = "protolift.skipped"
)

// Run runs the Go stage.
func Run(ctx context.Context, opts Options) (*Result, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	m, err := modroot.Find(dir)
	if err != nil {
		return nil, err
	}
	res := &Result{Requires: map[string]string{}, Module: m}
	files, err := selectFiles(ctx, res, dir, opts)
	if err != nil {
		return nil, err
	}
	opts.Overlay = lfOverlay(files, opts.Overlay)
	r := &goRun{opts: opts, module: m, res: res, byPath: map[string]*scanned{}, done: map[string]bool{}}
	toolPins := r.reportToolPins(files)
	withTests, plain := r.plan(files, toolPins)
	if err := r.loadAndRewrite(ctx, withTests, plain); err != nil {
		return nil, err
	}
	// Files the default configuration excludes get a second load with
	// the build tags their constraints ask for, so `//go:build
	// integration` files are migrated too; what still stays out (other
	// operating systems, contradictory constraints) is reported.
	for p := range toolPins {
		r.done[p] = true
	}
	// A file only standard-library imports selected has nothing certain
	// to migrate: it gets no load of its own under other build tags, and
	// no finding when its constraints leave it out.
	for i := range files {
		if files[i].incidental() {
			r.done[files[i].path] = true
		}
	}
	for tags, dirs := range extraConfigs(files, r.done, opts.Tags) {
		extra := opts
		extra.Tags = append(append([]string(nil), opts.Tags...), strings.Split(tags, ",")...)
		if err := r.process(ctx, dirs, true, extra); err != nil {
			return nil, fmt.Errorf("loading with -tags=%s (for files that need those tags): %w", strings.Join(extra.Tags, ","), err)
		}
		res.Configs = append(res.Configs, Config{Tags: extra.Tags, Dirs: dirs})
	}
	for _, f := range files {
		if f.generated || r.done[f.path] {
			continue
		}
		res.Report(change.Diagnostic{
			Path: f.path, Start: change.Position{Line: 1, Col: 1}, Rule: BuildTagsRule, Risk: change.Manual,
			Message: fmt.Sprintf("file is excluded by build constraints%s, so it was not type-checked or migrated; rerun with -tags (or GOOS/GOARCH) that include it", constraintOf(f.path, f.src)),
		})
	}
	if err := res.writeHelpers(); err != nil {
		return nil, err
	}
	res.Sort()
	return res, nil
}

// selectFiles resolves the patterns to package directories and keeps the
// files the syntactic pre-filter says some enabled rule may change (and
// the generated files the stage reports); skipped directories are
// reported.
func selectFiles(ctx context.Context, res *Result, dir string, opts Options) ([]scanned, error) {
	base, _ := filepath.Abs(dir)
	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	dirs, skipped, ok, err := modroot.Dirs(res.Module, base, patterns)
	if err != nil {
		return nil, err
	}
	if !ok {
		if dirs, err = listDirs(ctx, base, patterns, opts.Tags); err != nil {
			return nil, err
		}
	}
	grpcGen, err := grpcGeneratedPackages(res.Module, opts.Rules, opts.Overlay)
	if err != nil {
		return nil, err
	}
	files, err := prefilter(dirs, opts.Rules, opts.Overlay, grpcGen)
	if err != nil {
		return nil, err
	}
	reportSkipped(res, skipped, opts.Rules)
	return files, nil
}

// lfOverlay returns the overlay with CRLF files given LF line endings:
// the dst printer drops blank lines of CRLF files, so such files are
// type-checked and rewritten with LF endings, and CRLF is restored in
// the result (scanned.crlf).
func lfOverlay(files []scanned, overlay map[string][]byte) map[string][]byte {
	cloned := false
	for i := range files {
		f := &files[i]
		if f.generated || !bytes.Contains(f.src, []byte("\r\n")) {
			continue
		}
		if !cloned {
			overlay, cloned = maps.Clone(overlay), true
			if overlay == nil {
				overlay = map[string][]byte{}
			}
		}
		f.crlf = true
		overlay[f.path] = bytes.ReplaceAll(f.src, []byte("\r\n"), []byte("\n"))
	}
	return overlay
}

// goRun is one run of the Go stage over the selected files.
type goRun struct {
	opts   Options
	module *modroot.Module
	res    *Result
	byPath map[string]*scanned // the hand-written files to migrate
	done   map[string]bool     // files rewritten or reported

	graphMu sync.Mutex
	graphs  map[string]*importGraph // by build tags
}

// importGraph is the module's import graph under one configuration,
// loaded on first use (rule.Program.LoadGraph).
type importGraph struct {
	once sync.Once
	pkgs []*packages.Package
	err  error
}

// graph returns the LoadGraph function for o's configuration: `go list
// -deps -test ./...` without types, listed once per run.
func (r *goRun) graph(ctx context.Context, o Options) func() ([]*packages.Package, error) {
	key := strings.Join(o.Tags, ",")
	r.graphMu.Lock()
	g := r.graphs[key]
	if g == nil {
		if r.graphs == nil {
			r.graphs = map[string]*importGraph{}
		}
		g = &importGraph{}
		r.graphs[key] = g
	}
	r.graphMu.Unlock()
	return func() ([]*packages.Package, error) {
		g.once.Do(func() {
			cfg := loadConfig(ctx, r.module.Dir, true, o)
			cfg.Mode = packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps
			g.pkgs, g.err = packages.Load(cfg, "./...")
		})
		return g.pkgs, g.err
	}
}

// reportToolPins finds the files that only pin tools for go install
// (`//go:build tools`, blank imports of main packages): they are never
// compiled, and loading them with their tag fails ("is a program, not an
// importable package").
func (r *goRun) reportToolPins(files []scanned) map[string]bool {
	toolPins := map[string]bool{}
	for i := range files {
		f := &files[i]
		if f.generated || !isToolPin(f.src) {
			continue
		}
		toolPins[f.path] = true
		if msg := toolPinMessage(f); msg != "" {
			r.res.Report(change.Diagnostic{Path: f.path, Start: change.Position{Line: 1, Col: 1}, Rule: BuildTagsRule, Risk: change.Review, Message: msg})
		}
	}
	return toolPins
}

// plan records the files to migrate and splits their package directories
// into those loaded with their test variants (one of the files is a test
// file) and the rest: test variants triple the packages to type-check.
// Legacy generated files are reported, not migrated.
func (r *goRun) plan(files []scanned, toolPins map[string]bool) (withTests, plain []string) {
	needTests := map[string]bool{}
	for i := range files {
		f := &files[i]
		if toolPins[f.path] {
			continue
		}
		if f.generated {
			if msg := legacyGenerated(f); msg != "" {
				r.res.Report(change.Diagnostic{Path: f.path, Start: change.Position{Line: 1, Col: 1}, Rule: GeneratedRule, Risk: change.Manual, Message: msg})
			}
			continue
		}
		r.byPath[f.path] = f
		d := filepath.Dir(f.path)
		needTests[d] = needTests[d] || strings.HasSuffix(f.path, "_test.go")
	}
	for d, t := range needTests {
		if t {
			withTests = append(withTests, d)
		} else {
			plain = append(plain, d)
		}
	}
	sort.Strings(withTests)
	sort.Strings(plain)
	return withTests, plain
}

// loadAndRewrite processes the directories in batches (memory stays
// bounded on large trees), telling Progress as batches finish.
func (r *goRun) loadAndRewrite(ctx context.Context, withTests, plain []string) error {
	batch := r.opts.BatchSize
	if batch <= 0 {
		batch = 256
	}
	total, finished := len(withTests)+len(plain), 0
	for _, group := range []struct {
		dirs  []string
		tests bool
	}{{withTests, true}, {plain, false}} {
		for i := 0; i < len(group.dirs); i += batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			j := min(i+batch, len(group.dirs))
			if err := r.process(ctx, group.dirs[i:j], group.tests, r.opts); err != nil {
				return err
			}
			finished += j - i
			if r.opts.Progress != nil {
				r.opts.Progress(finished, total)
			}
		}
	}
	return nil
}

// optional reports whether every file of pkg the stage would migrate is
// incidental (scanned.incidental): such a package that does not
// type-check is skipped and reported, not a reason to stop the run.
func (r *goRun) optional(pkg *packages.Package) bool {
	some := false
	for _, name := range pkg.CompiledGoFiles {
		if sf := r.byPath[name]; sf != nil {
			if !sf.incidental() {
				return false
			}
			some = true
		}
	}
	return some
}

// process loads dirs under o's configuration and rewrites each file to
// migrate not yet done; files of packages that do not type-check are
// reported instead.
func (r *goRun) process(ctx context.Context, dirs []string, tests bool, o Options) error {
	pkgs, broken, err := load(ctx, r.module.Dir, dirs, tests, o, r.optional)
	if err != nil {
		return err
	}
	for _, b := range broken {
		optional := r.optional(b)
		for _, name := range b.CompiledGoFiles {
			if sf := r.byPath[name]; sf != nil && !r.done[name] {
				r.done[name] = true
				d := change.Diagnostic{Path: name, Start: change.Position{Line: 1, Col: 1}, Rule: VerifyRule, Risk: change.Manual,
					Message: fmt.Sprintf("not migrated: package %s does not type-check after the earlier stages: %s", b.PkgPath, firstError(b))}
				if optional {
					d.Rule, d.Risk = SkippedRule, change.Review
					d.Message = fmt.Sprintf("not checked: package %s does not type-check (%s); it imports nothing protolift must migrate, only standard-library packages some rules look at", b.PkgPath, firstError(b))
				}
				r.res.Report(d)
			}
		}
	}
	r.res.Loaded += len(pkgs)
	prog := &rule.Program{Packages: pkgs, ModuleDir: r.module.Dir, Overlay: o.Overlay, LoadGraph: r.graph(ctx, o)}
	for _, pkg := range pkgs {
		for k, af := range pkg.Syntax {
			name := pkg.CompiledGoFiles[k]
			if sf := r.byPath[name]; sf != nil && !r.done[name] {
				r.done[name] = true
				if err := rewriteFile(prog, pkg, af, sf, r.opts.Rules, r.opts.RuleOptions, r.opts.Disabled[name], r.res); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// listDirs asks the go command for the directories of patterns the
// pre-filter cannot expand itself (import-path wildcards, std-style names).
func listDirs(ctx context.Context, dir string, patterns, tags []string) ([]string, error) {
	args := []string{"list", "-e", "-find", "-f", "{{.Dir}}"}
	if len(tags) > 0 {
		args = append(args, "-tags="+strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, patterns...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", strings.Join(patterns, " "), err, stderr.String())
	}
	var dirs []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			dirs = append(dirs, l)
		}
	}
	return dirs, nil
}

// load type-checks the packages in dirs, with their tests. Dependencies
// come from export data, so only the packages that need migrating are
// type-checked from source.
// loadConfig is the go/packages configuration of the stage's loads:
// typed syntax, read-only go.mod, opts' tags, alternate go.mod and
// overlay.
func loadConfig(ctx context.Context, root string, tests bool, opts Options) *packages.Config {
	cfg := &packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedTypesInfo | packages.NeedSyntax | packages.NeedModule,
		Dir:     root,
		Tests:   tests,
		Overlay: opts.Overlay,
		Env:     append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off"),
	}
	if len(opts.Tags) > 0 {
		cfg.BuildFlags = append(cfg.BuildFlags, "-tags="+strings.Join(opts.Tags, ","))
	}
	if opts.ModFile != "" {
		cfg.BuildFlags = append(cfg.BuildFlags, "-modfile="+opts.ModFile)
	}
	return cfg
}

func load(ctx context.Context, root string, dirs []string, tests bool, opts Options, optional func(*packages.Package) bool) (pkgs, broken []*packages.Package, err error) {
	var pats []string
	for _, d := range dirs {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			return nil, nil, err
		}
		pats = append(pats, "./"+filepath.ToSlash(rel))
	}
	cfg := loadConfig(ctx, root, tests, opts)
	pkgs, err = packages.Load(cfg, pats...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading packages: %w", err)
	}
	// Report type and parse errors with their positions; the go command's
	// own summary of the same failure ("-: # pkg") only repeats them.
	var errs, listErrs []string
	seen := map[string]bool{}
	repairable := repairPatterns(opts.Rules)
	{
		ok := pkgs[:0]
		for _, p := range pkgs {
			if len(p.Errors) > 0 && !allRepairable(p.Errors, repairable) && (opts.KeepGoing || optional(p)) {
				broken = append(broken, p)
			} else {
				ok = append(ok, p)
			}
		}
		pkgs = ok
	}
	for _, p := range pkgs {
		if len(p.Errors) > 0 && (allRepairable(p.Errors, repairable) || allExcluded(p.Errors)) {
			// An all-excluded package has no file this configuration
			// can migrate: the extra loads (or the build-tags report)
			// deal with its files.
			continue
		}
		for _, e := range p.Errors {
			msg := e.Error()
			if seen[msg] {
				continue
			}
			seen[msg] = true
			if e.Kind == packages.ListError && (e.Pos == "" || e.Pos == "-") {
				listErrs = append(listErrs, msg)
			} else {
				errs = append(errs, msg)
			}
		}
	}
	if len(errs) == 0 {
		errs = listErrs
	}
	if len(errs) > 0 {
		if len(errs) > 20 {
			errs = append(errs[:20], fmt.Sprintf("... and %d more", len(errs)-20))
		}
		return nil, nil, fmt.Errorf("packages do not build; fix these errors first (protolift needs type information and writes nothing until they are fixed):\n\t%s", strings.Join(errs, "\n\t"))
	}
	// Process plain packages before their test variants so each file is
	// rewritten once, with the smallest package that contains it.
	sort.SliceStable(pkgs, func(i, j int) bool {
		return !strings.Contains(pkgs[i].ID, "[") && strings.Contains(pkgs[j].ID, "[")
	})
	return pkgs, broken, nil
}

// firstError is the first error of a package that does not type-check,
// with its position, for a one-line report.
func firstError(p *packages.Package) string {
	for _, e := range p.Errors {
		if e.Kind == packages.TypeError || e.Pos != "" && e.Pos != "-" {
			return e.Error()
		}
	}
	if len(p.Errors) > 0 {
		return strings.SplitN(p.Errors[0].Error(), "\n", 2)[0]
	}
	return "unknown error"
}

// constraintOf says what excludes a file: its //go:build (or // +build)
// lines, else the OS or architecture its file name names.
func constraintOf(path string, src []byte) string {
	var lines []string
	for _, l := range headerLines(src) {
		if constraint.IsGoBuild(l) || constraint.IsPlusBuild(l) {
			lines = append(lines, l)
		}
	}
	if len(lines) > 0 {
		return " (" + strings.Join(lines, "; ") + ")"
	}
	if t := fileNameTag(path); t != "" {
		return fmt.Sprintf(" (its file name names %s, which this build is not for)", t)
	}
	return ""
}

// fileNameTag returns the GOOS or GOARCH a file name's suffix implies
// (x_linux.go, x_windows_amd64_test.go), as the go command reads it.
func fileNameTag(path string) string {
	name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".go"), "_test")
	parts := strings.Split(name, "_")
	if len(parts) < 2 {
		return ""
	}
	last := parts[len(parts)-1]
	if platformTags[last] && last != "cgo" && last != "gc" && last != "gccgo" && last != "unix" && last != "ignore" {
		return last
	}
	return ""
}

// headerLines returns the trimmed lines before the package clause.
func headerLines(src []byte) []string {
	var out []string
	for _, l := range strings.Split(string(src), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "package ") {
			break
		}
		out = append(out, l)
	}
	return out
}

// reportSkipped reports vendor and testdata directories that hold code
// the rules would have looked at: protolift never edits them.
func reportSkipped(res *Result, skipped []string, rules []*rule.Rule) {
	for _, d := range skipped {
		var hits []string
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(p, ".go") {
				return nil
			}
			hits = append(hits, p)
			return nil
		})
		if len(hits) == 0 {
			continue
		}
		fs, err := prefilter(uniqueDirs(hits), rules, nil, nil)
		if err != nil {
			continue
		}
		why := "testdata is test input: it is not edited"
		if filepath.Base(d) == "vendor" {
			why = "vendored code is not edited: upgrade the dependency and run go mod vendor"
		}
		for _, f := range fs {
			res.Report(change.Diagnostic{
				Path: f.path, Start: change.Position{Line: 1, Col: 1}, Rule: SkippedRule, Risk: change.Review,
				Message: fmt.Sprintf("uses %s; %s", strings.Join(f.imports, ", "), why),
			})
		}
	}
}

func uniqueDirs(files []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		d := filepath.Dir(f)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// fileSink collects what rules record for one file.
type fileSink struct {
	path    string
	edits   []change.Edit
	diags   []change.Diagnostic
	require map[string]string
	alias   map[string]string
	// rule is the rule running now; byRule records which rule needed
	// which module version.
	rule   string
	byRule map[string]map[string]string
	// hard and soft record, per rule, the modules it asked for with
	// Require and with Prefer (rule.PreferSink).
	hard, soft map[string]map[string]bool

	pkg     *packages.Package
	helpers []helperWant // see helpers.go
}

func (s *fileSink) Edit(e change.Edit)           { s.edits = append(s.edits, e) }
func (s *fileSink) Diagnose(d change.Diagnostic) { s.diags = append(s.diags, d) }
func (s *fileSink) Alias(path, name string)      { s.alias[path] = name }
func (s *fileSink) Require(path, version string) {
	s.mark(&s.hard, path)
	s.need(path, version)
}

// Prefer implements rule.PreferSink.
func (s *fileSink) Prefer(path, version string) {
	s.mark(&s.soft, path)
	s.need(path, version)
}

func (s *fileSink) mark(m *map[string]map[string]bool, path string) {
	if *m == nil {
		*m = map[string]map[string]bool{}
	}
	if (*m)[s.rule] == nil {
		(*m)[s.rule] = map[string]bool{}
	}
	(*m)[s.rule][path] = true
}

// fallbacks are the modules each rule asked for only with Prefer.
func (s *fileSink) fallbacks() map[string][]string {
	var out map[string][]string
	for r, mods := range s.soft {
		for m := range mods {
			if s.hard[r][m] {
				continue
			}
			if out == nil {
				out = map[string][]string{}
			}
			out[r] = append(out[r], m)
		}
		sort.Strings(out[r])
	}
	return out
}

func (s *fileSink) need(path, version string) {
	if cur, ok := s.require[path]; !ok || semver.Compare(version, cur) > 0 {
		s.require[path] = version
	}
	r := s.byRule[s.rule]
	if r == nil {
		r = map[string]string{}
		s.byRule[s.rule] = r
	}
	if cur, ok := r[path]; !ok || semver.Compare(version, cur) > 0 {
		r[path] = version
	}
}

func rewriteFile(prog *rule.Program, pkg *packages.Package, af *ast.File, sf *scanned, rules []*rule.Rule, options map[string]string, disabled map[string]bool, res *Result) error {
	if disabled["*"] {
		return nil
	}
	if lineDirective(af) {
		res.Report(change.Diagnostic{Path: sf.path, Start: change.Position{Line: 1, Col: 1}, Rule: SkippedRule, Risk: change.Manual,
			Message: "file contains //line directives, which rewriting would move; migrate it by hand"})
		return nil
	}
	dec := decorator.NewDecoratorFromPackage(pkg)
	f, err := dec.DecorateFile(af)
	if err != nil {
		return fmt.Errorf("%s: decorating syntax tree: %w", sf.path, err)
	}
	sink := &fileSink{pkg: pkg, path: sf.path, require: map[string]string{}, alias: map[string]string{}, byRule: map[string]map[string]string{}}
	imports := map[string]bool{}
	for _, p := range sf.imports {
		imports[p] = true
	}
	built := map[dst.Expr]types.Type{}
	enabled := map[string]bool{}
	for _, r := range rules {
		enabled[r.Name] = !disabled[r.Name]
	}
	// One index of the file for all rules (see rule.FileIndex).
	index := rule.NewFileIndex(f, af)
	for _, r := range rules {
		if !enabled[r.Name] || !wants(r, imports) {
			continue
		}
		sink.rule = r.Name
		edits := len(sink.edits)
		if rule.CheckIndex {
			index.Inspector() // so that Verify sees any unrecorded edit
		}
		r.Run(&rule.Pass{Rule: r, Program: prog, Pkg: pkg, File: f, AstFile: af, Dec: dec, Fset: pkg.Fset, Path: sf.path, Src: sf.src, Sink: sink, Options: options, Types: built, Enabled: enabled, FileIndex: index})
		if rule.CheckIndex {
			if err := index.Verify(); err != nil {
				return fmt.Errorf("%s: rule %s: %w", sf.path, r.Name, err)
			}
		}
		if len(sink.edits) != edits {
			index.Edited() // also when the rule recorded through the Sink
		}
		index.Done()
	}
	res.Report(sink.diags...)
	if len(sink.edits) == 0 {
		return nil
	}
	// The parser skips a leading UTF-8 byte order mark (so positions
	// still match sf.src) but the printer does not write it back: print
	// without it and put it back.
	src, bom := bytes.CutPrefix(sf.src, utf8BOM)
	if sf.crlf {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	out, err := restore(pkg, af, f, sink.alias, src)
	if err != nil {
		return fmt.Errorf("%s: printing rewritten file: %w", sf.path, err)
	}
	// Lines no rule changed stay as they were (see keepUntouched).
	if pf, err := decorator.NewDecoratorFromPackage(pkg).DecorateFile(af); err == nil {
		if pristine, err := restore(pkg, af, pf, nil, src); err == nil {
			out = keepUntouched(src, pristine, out)
		}
	}
	if sf.crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if bom {
		out = append(slices.Clip(utf8BOM), out...)
	}
	if bytes.Equal(out, sf.src) {
		return nil
	}
	// The file's protobuf floor follows from what it uses (rules record
	// v1.20.0, the first APIv2 release); it is the file's, not a rule's.
	if v := protobufFloor(sf.src, out); v != "" {
		change.Require(sink.require, protobufModule, v)
	}
	change.AddRequires(res.Requires, sink.require)
	res.Put(&change.File{Path: sf.path, Old: sf.src, New: out, Edits: sink.edits, Stage: "go", Requires: sink.require, RuleRequires: sink.byRule, RuleFallbacks: sink.fallbacks()})
	res.keepHelpers(sink, sf.src)
	return nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

func wants(r *rule.Rule, imports map[string]bool) bool {
	for _, w := range r.Imports {
		if imports[w] {
			return true
		}
		if strings.HasSuffix(w, "/") {
			for p := range imports {
				if strings.HasPrefix(p, w) {
					return true
				}
			}
		}
	}
	return false
}

func lineDirective(f *ast.File) bool {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//line ") || strings.HasPrefix(c.Text, "/*line ") {
				return true
			}
		}
	}
	return false
}

// restore prints the rewritten tree with imports managed: new packages get
// names that collide with nothing in the file or package, existing import
// names are kept, and the result is gofmt'ed.
func restore(pkg *packages.Package, af *ast.File, f *dst.File, alias map[string]string, src []byte) ([]byte, error) {
	names := newNames(pkg)
	r := decorator.NewRestorerWithImports(pkg.PkgPath, names)
	fr := r.FileRestorer()
	reuseXNetContext(pkg, f)
	for p, a := range chooseAliases(pkg, af, f, names, alias) {
		fr.Alias[p] = a
	}
	var buf bytes.Buffer
	if err := fr.Fprint(&buf, f); err != nil {
		return nil, err
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("result does not parse (%v); this is a protolift bug, please report it", err)
	}
	return keepImportLayout(src, out), nil
}

// extraConfigs groups the interesting files the default configuration
// left out by the set of build tags that would include them (tags that
// are not operating systems, architectures, Go versions or cgo).
func extraConfigs(files []scanned, done map[string]bool, base []string) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, f := range files {
		if f.generated || done[f.path] {
			continue
		}
		expr := buildConstraint(f.src)
		if expr == nil {
			continue
		}
		var tags []string
		positiveTags(expr, &tags)
		have := map[string]bool{runtime.GOOS: true, runtime.GOARCH: true, "cgo": true, "gc": true}
		for _, t := range append(base, tags...) {
			have[t] = true
		}
		ok := expr.Eval(func(tag string) bool {
			if strings.HasPrefix(tag, "go1.") {
				return true
			}
			return have[tag]
		})
		if !ok || len(tags) == 0 {
			continue
		}
		sort.Strings(tags)
		key := strings.Join(tags, ",")
		dir := filepath.Dir(f.path)
		if !seen[key+"\x00"+dir] {
			seen[key+"\x00"+dir] = true
			out[key] = append(out[key], dir)
		}
	}
	return out
}

// buildConstraint returns a file's //go:build expression, or, for files
// that only have the older // +build lines, their conjunction.
func buildConstraint(src []byte) constraint.Expr {
	var plus constraint.Expr
	for _, l := range headerLines(src) {
		switch {
		case constraint.IsGoBuild(l):
			if e, err := constraint.Parse(l); err == nil {
				return e
			}
		case constraint.IsPlusBuild(l):
			e, err := constraint.Parse(l)
			if err != nil {
				continue
			}
			if plus == nil {
				plus = e
			} else {
				plus = &constraint.AndExpr{X: plus, Y: e}
			}
		}
	}
	return plus
}

// isToolPin reports whether a file only pins tools: it is excluded by a
// build constraint that needs a tag (`//go:build tools`) and every import
// is blank.
func isToolPin(src []byte) bool {
	expr := buildConstraint(src)
	if expr == nil {
		return false
	}
	var tags []string
	positiveTags(expr, &tags)
	if len(tags) == 0 {
		return false
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil || len(f.Imports) == 0 {
		return false
	}
	for _, imp := range f.Imports {
		if imp.Name == nil || imp.Name.Name != "_" {
			return false
		}
	}
	return true
}

// toolPinMessage says what a tool-pin file's legacy pins should become.
func toolPinMessage(f *scanned) string {
	var legacy []string
	for _, p := range f.imports {
		if strings.HasPrefix(p, "github.com/golang/protobuf/") {
			legacy = append(legacy, p)
		}
	}
	if len(legacy) == 0 {
		return ""
	}
	return fmt.Sprintf("tool pin %s is not compiled (its build constraint excludes it), so it was not loaded; it keeps github.com/golang/protobuf in go.mod: pin google.golang.org/protobuf/cmd/protoc-gen-go (and google.golang.org/grpc/cmd/protoc-gen-go-grpc for services) instead, the generators protolift gen uses", strings.Join(legacy, ", "))
}

var platformTags = map[string]bool{
	"cgo": true, "gc": true, "gccgo": true, "unix": true, "ignore": true,
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "hurd": true, "illumos": true, "ios": true,
	"js": true, "linux": true, "nacl": true, "netbsd": true, "openbsd": true, "plan9": true, "solaris": true, "wasip1": true, "windows": true, "zos": true,
	"386": true, "amd64": true, "arm": true, "arm64": true, "loong64": true, "mips": true, "mipsle": true, "mips64": true, "mips64le": true,
	"ppc64": true, "ppc64le": true, "riscv64": true, "s390x": true, "wasm": true,
}

func isPlatformTag(t string) bool { return platformTags[t] || strings.HasPrefix(t, "go1.") }

// positiveTags collects the non-platform tags that appear un-negated in
// e (for an or, those of its left side): setting them satisfies the
// common constraints (`integration`, `e2e && !race`, `a || b`).
func positiveTags(e constraint.Expr, tags *[]string) {
	switch e := e.(type) {
	case *constraint.TagExpr:
		if !isPlatformTag(e.Tag) && !slices.Contains(*tags, e.Tag) {
			*tags = append(*tags, e.Tag)
		}
	case *constraint.AndExpr:
		positiveTags(e.X, tags)
		positiveTags(e.Y, tags)
	case *constraint.OrExpr:
		positiveTags(e.X, tags)
	}
}

// allExcluded reports whether a package's only problem is that the build
// configuration excludes all its files (a tools.go package, a directory of
// integration tests): go build ./... and go vet ./... skip such packages.
func allExcluded(errs []packages.Error) bool {
	for _, e := range errs {
		if !strings.Contains(e.Msg, "build constraints exclude all Go files") {
			return false
		}
	}
	return true
}

// repairPatterns compiles the Repairs of the enabled rules.
func repairPatterns(rules []*rule.Rule) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, r := range rules {
		for _, re := range r.Repairs {
			out = append(out, regexp.MustCompile(re))
		}
	}
	return out
}

// allRepairable reports whether every error is a type error that some
// enabled rule exists to fix, so the package can be rewritten although
// it does not build yet (hand-written code against regenerated code).
func allRepairable(errs []packages.Error, pats []*regexp.Regexp) bool {
	if len(pats) == 0 {
		return false
	}
	matches := func(msg string) bool {
		for _, re := range pats {
			if re.MatchString(msg) {
				return true
			}
		}
		return false
	}
	for _, e := range errs {
		switch {
		case e.Kind == packages.TypeError:
			if !matches(e.Msg) {
				return false
			}
		case e.Kind == packages.ListError && (e.Pos == "" || e.Pos == "-") && strings.HasPrefix(e.Msg, "# "):
			// go list -compiled repeats the compiler's errors under a
			// "# pkg" header; each of them must be repairable too.
			lines := strings.Split(e.Msg, "\n")[1:]
			for _, l := range lines {
				// The compiler stops after ten errors and says so; the
				// type errors above list them all, so its note says
				// nothing they do not.
				if strings.HasSuffix(l, ": too many errors") || l == "too many errors" {
					continue
				}
				if l != "" && !matches(l) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// grpcGeneratedPackages returns the import paths of the module's Go
// packages that hold protoc-gen-go-grpc output (a *_grpc.pb.go file, on
// disk or in the overlay), when some enabled rule asks for them.
func grpcGeneratedPackages(m *modroot.Module, rules []*rule.Rule, overlay map[string][]byte) (map[string]bool, error) {
	wanted := false
	for _, r := range rules {
		wanted = wanted || slices.Contains(r.Imports, rule.GRPCGenerated)
	}
	if !wanted {
		return nil, nil
	}
	dirs, _, _, err := modroot.Dirs(m, m.Dir, []string{"./..."})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, d := range dirs {
		names, err := goFiles(d, overlay)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if strings.HasSuffix(n, "_grpc.pb.go") {
				rel, err := filepath.Rel(m.Dir, d)
				if err != nil {
					return nil, err
				}
				out[path.Join(m.Path, filepath.ToSlash(rel))] = true
				break
			}
		}
	}
	return out, nil
}

// gogoMessage is the finding on gogo/protobuf output: protolift gen
// regenerates protoc-gen-go output only, and gogo's own options (nullable,
// customtype, casttype, embed, ...) shape Go types protoc-gen-go cannot
// produce, so the choice is the user's.
const gogoMessage = "generated by gogo/protobuf (protoc-gen-gogo); it is not edited, and protolift gen does not regenerate gogo output. " +
	"Either keep it on github.com/gogo/protobuf (no longer maintained; APIv2 functions reach its messages only through protoadapt.MessageV2Of, and gogo-only options such as customtype or nullable=false may not survive that), " +
	"or remove the gogoproto options from the .proto files and generate with protoc-gen-go and protoc-gen-go-grpc (the Go types change, so the code that uses them changes too; protolift gen regenerates once the output is protoc-gen-go's)"

// legacyGenerated explains why a generated file needs regenerating: it
// imports APIv1 packages, or it is protoc-gen-go `plugins=grpc` output
// (gRPC code inside a .pb.go file). Current generated code that merely
// imports grpc or protobuf needs nothing.
func legacyGenerated(f *scanned) string {
	if f.gogo {
		return gogoMessage
	}
	var legacy []string
	grpc := false
	for _, p := range f.imports {
		switch {
		case strings.HasPrefix(p, "github.com/golang/protobuf/") || strings.HasPrefix(p, "google.golang.org/genproto/protobuf/"):
			legacy = append(legacy, p)
		case p == "google.golang.org/grpc":
			grpc = true
		}
	}
	switch {
	case len(legacy) > 0:
		return fmt.Sprintf("generated file imports %s; it is not edited: regenerate it with current generators (protolift gen)", strings.Join(legacy, ", "))
	case grpc && strings.HasSuffix(f.path, ".pb.go") && !strings.HasSuffix(f.path, "_grpc.pb.go") && bytes.Contains(f.src, []byte("SupportPackageIsVersion")):
		return "generated by protoc-gen-go with plugins=grpc; it is not edited: regenerate it with protoc-gen-go and protoc-gen-go-grpc (protolift gen)"
	}
	return ""
}

// MatchDirs resolves each package pattern (relative to dir) to package
// directories, as Run does, and fails for a pattern that matches no
// package: a typo must not silently migrate nothing.
func MatchDirs(ctx context.Context, dir string, patterns, tags []string) ([]string, error) {
	m, err := modroot.Find(dir)
	if err != nil {
		return nil, err
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var all []string
	for _, pat := range patterns {
		dirs, _, ok, err := modroot.Dirs(m, base, []string{pat})
		if err != nil {
			return nil, err
		}
		if !ok {
			if dirs, err = listDirs(ctx, base, []string{pat}, tags); err != nil {
				return nil, err
			}
		}
		if len(dirs) == 0 {
			return nil, fmt.Errorf("pattern %q matches no packages in module %s (stages are named first: protolift proto|gen|go|mod [flags] [packages])", pat, m.Path)
		}
		for _, d := range dirs {
			if !seen[d] {
				seen[d] = true
				all = append(all, d)
			}
		}
	}
	return all, nil
}

// Repairable returns a test for type errors that some enabled rule
// exists to fix (hand-written code against regenerated code): such
// errors after regeneration are expected, not a reason to withdraw it.
func Repairable(rules []*rule.Rule) func(msg string) bool {
	pats := repairPatterns(rules)
	return func(msg string) bool {
		// The compiler stops after ten errors with this note: the errors
		// past it are unknown here, and the final gate, which tolerates
		// nothing, type-checks what the rules left of them.
		if msg == "too many errors" && len(pats) > 0 {
			return true
		}
		for _, re := range pats {
			if re.MatchString(msg) {
				return true
			}
		}
		return false
	}
}
