package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/apply"
	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/internal/protoreg"
	"github.com/protolift/protolift/internal/protows"
	"github.com/protolift/protolift/internal/report"
	"github.com/protolift/protolift/internal/verify"
	"github.com/protolift/protolift/rewrite"
	"github.com/protolift/protolift/rewrite/gomod"
	"github.com/protolift/protolift/rewrite/protofile"
	"github.com/protolift/protolift/rewrite/regen"
	"github.com/protolift/protolift/rewrite/rule"
	"github.com/protolift/protolift/rewrite/rules"
)

// flags are the options every stage shares.
type flags struct {
	fs          *flag.FlagSet
	dir         string
	diff, list  bool
	write, json bool
	rdjsonl     bool
	rules       string
	tags        string
	failManual  bool
	latest      bool
	goLimit     string
	tidy        bool
	progress    string
	grpcServer  string
	keepFormat  bool
	edition     string
	goPkgPrefix string
	goPkgMap    string
	prove       string
	noVerify    bool
}

// stageFlags lists, for each flag a single stage needs, the stages that
// use it; every other flag belongs to every stage. The full run (stage
// "") has them all.
var stageFlags = map[string][]string{
	"rules":              {"go"},
	"tags":               {"go"},
	"grpc-server":        {"gen", "go"},
	"edition":            {"proto"},
	"prove":              {"proto"},
	"go-package-prefix":  {"proto"},
	"go-package-map":     {"proto"},
	"latest":             {"gen", "mod"},
	"go":                 {"gen", "go", "mod"},
	"tidy":               {"mod"},
	"verify":             {"gen", "go", "mod"},
	"keep-output-format": {"go"},
}

// stageOf names the stages a flag belongs to, for the error that says
// where a flag given to the wrong stage goes.
func stageOf(flagName string) []string { return stageFlags[flagName] }

func newFlags(name string, out io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet("protolift "+name, flag.ContinueOnError), tidy: true, failManual: true, progress: "auto", grpcServer: "embed"}
	f.fs.SetOutput(out)
	f.fs.Usage = func() {}
	has := func(flagName string) bool {
		stages, ok := stageFlags[flagName]
		return name == "" || !ok || slices.Contains(stages, name)
	}
	str := func(p *string, flagName, value, usage string) {
		if has(flagName) {
			f.fs.StringVar(p, flagName, value, usage)
		}
	}
	boolean := func(p *bool, flagName string, value bool, usage string) {
		if has(flagName) {
			f.fs.BoolVar(p, flagName, value, usage)
		}
	}
	str(&f.dir, "C", ".", "run in `dir` (the module root or a directory inside the module)")
	boolean(&f.diff, "d", false, "print a unified diff of the changes (the default)")
	boolean(&f.list, "l", false, "list files that would change; print nothing when nothing would")
	boolean(&f.write, "w", false, "write the changes to the files (atomically); with -json, also report them as JSON")
	boolean(&f.json, "json", false, "print the result as JSON (files, changes with rule and risk, diagnostics)")
	boolean(&f.rdjsonl, "rdjsonl", false, "print changes as suggested edits and findings as review comments, in reviewdog's rdjsonl format (for PR bots)")
	str(&f.rules, "rules", "", "Go rules to run: comma-separated names or groups, '-' removes (e.g. protov1,-protov1.jsonpb); default all")
	str(&f.tags, "tags", "", "comma-separated build tags to consider when loading Go packages")
	boolean(&f.failManual, "fail-on-manual", true, "exit with status 1 when findings that need a person remain")
	boolean(&f.latest, "latest", false, "require the newest releases (and generators), letting the go directive rise up to the go command's version unless -go says otherwise")
	str(&f.goLimit, "go", "", "allow the go directive to rise up to this Go `version` (e.g. 1.23) when newer generators, runtimes or rewrites need it; by default it never moves")
	boolean(&f.tidy, "tidy", true, "mod stage: run go mod tidy over the rewritten code (drops requirements nothing imports)")
	str(&f.progress, "progress", "auto", "show progress on stderr: auto (when it is a terminal), always, never")
	str(&f.edition, "edition", "", "proto stage: convert proto2/proto3 files to this edition (2023), proving each conversion equivalent")
	str(&f.prove, "prove", "", "proto stage: check instead of rewrite: prove every .proto file changed since git revision `REV` equivalent to its old version (same resolved field features, same protoc-gen-go output)")
	str(&f.goPkgPrefix, "go-package-prefix", "", "proto stage: import path prefix for go_package options it adds (default: the module path)")
	str(&f.goPkgMap, "go-package-map", "", "proto stage: comma-separated `dir=importpath` pairs for go_package options it adds (longest match wins)")
	if has("verify") {
		f.fs.BoolFunc("verify", "type-check and go vet the result and withdraw every change that breaks the build or gives go vet a new finding (default true; -verify=false only to debug protolift)", func(v string) error {
			b, err := strconv.ParseBool(v)
			f.noVerify = !b
			return err
		})
	}
	boolean(&f.keepFormat, "keep-output-format", false, "go stage: refuse every rewrite that changes produced text (jsonpb → protojson output, the v1 text format → prototext); they are reported instead")
	str(&f.grpcServer, "grpc-server", "embed", "hand-written gRPC servers under protoc-gen-go-grpc: embed (UnimplementedXServer by value), unsafe (opt out through UnsafeXServer), keep (regenerate with require_unimplemented_servers=false, change no server type)")
	return f
}

// usageError is a mistake in the command line: exit status 2 and a
// one-line hint at the usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// outputFlags are the flags that choose what protolift prints or does
// with the result, in the order they are named in errors.
var outputFlags = []struct{ name, does string }{
	{"d", "prints a diff"},
	{"l", "lists files"},
	{"w", "writes"},
	{"json", "prints JSON"},
	{"rdjsonl", "prints review suggestions"},
}

func (f *flags) parse(args []string) ([]string, error) {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{f.explain(err).Error()}
	}
	set := map[string]bool{"d": f.diff, "l": f.list, "w": f.write, "json": f.json, "rdjsonl": f.rdjsonl}
	var on []string
	for _, o := range outputFlags {
		if set[o.name] {
			on = append(on, o.name)
		}
	}
	// -w -json writes and reports what it wrote as JSON; every other pair
	// asks for two different outputs.
	for i, a := range on {
		for _, b := range on[i+1:] {
			if a == "w" && b == "json" {
				continue
			}
			return nil, usageError{fmt.Sprintf("flags -%s and -%s cannot be used together: -%s %s, -%s %s; pick one (only -w -json combine: write, then report as JSON)", a, b, a, does(a), b, does(b))}
		}
	}
	switch f.progress {
	case "auto", "always", "never":
	default:
		return nil, usageError{fmt.Sprintf("-progress=%s: want auto, always or never", f.progress)}
	}
	if f.prove != "" && (f.write || f.edition != "") {
		return nil, usageError{"-prove checks files and rewrites nothing: it cannot be used with -w or -edition"}
	}
	if err := checkGoFlag(f.goLimit); err != nil {
		return nil, err
	}
	switch f.grpcServer {
	case "embed", "unsafe", "keep":
	default:
		return nil, usageError{fmt.Sprintf("-grpc-server=%s: want embed, unsafe or keep", f.grpcServer)}
	}
	pats := f.fs.Args()
	for _, p := range pats {
		if strings.HasPrefix(p, "-") {
			return nil, usageError{fmt.Sprintf("flag %s after package patterns: flags go before patterns", p)}
		}
	}
	return pats, nil
}

func does(name string) string {
	for _, o := range outputFlags {
		if o.name == name {
			return o.does
		}
	}
	return ""
}

// explain adds to the flag package's "flag provided but not defined"
// which stage a flag belongs to, when it belongs to another one.
func (f *flags) explain(err error) error {
	const undefined = "flag provided but not defined: -"
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefined)
	if !ok {
		return err
	}
	name, _, _ = strings.Cut(strings.TrimPrefix(name, "-"), "=")
	if stages := stageOf(name); len(stages) > 0 {
		return fmt.Errorf("flag -%s belongs to the %s stage (protolift %s -%s, or the full run), not to protolift %s", name, strings.Join(stages, " and "), stages[0], name, f.stage())
	}
	return err
}

// stage is the stage the flag set parses for ("" for the full run).
func (f *flags) stage() string {
	return strings.TrimSpace(strings.TrimPrefix(f.fs.Name(), "protolift"))
}

func runStages(stage string, args []string, stdout, stderr io.Writer) int {
	f := newFlags(stage, io.Discard)
	patterns, err := f.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printStageUsage(stdout, stage)
		return exitOK
	}
	if err != nil {
		return usageFailure(stderr, stage, err)
	}
	if f.prove != "" && stage != "proto" {
		return usageFailure(stderr, stage, fmt.Errorf("-prove belongs to the proto stage: run protolift proto -prove=%s", f.prove))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, err := newPipeline(f, stage, patterns, stderr)
	if err == nil {
		err = p.run(ctx, stage)
	}
	if ue := (usageError{}); errors.As(err, &ue) {
		return usageFailure(stderr, stage, err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "protolift: %v\n", err)
		return exitError
	}
	return p.finish(stdout, stderr)
}

// pipeline runs stages in order, feeding each the previous ones' output
// through an overlay so nothing touches the disk before the end.
type pipeline struct {
	f        *flags
	patterns []string
	module   *modroot.Module
	base     string
	stderr   io.Writer
	set      change.Set
	requires map[string]string
	stage    string

	// Verification state (verify.go): baseline errors per package
	// directory, rules withdrawn per file ("*" for the whole file),
	// modules whose raise was withdrawn, and whether the mod stage tidies.
	baseline   map[string][]verify.Problem
	goDisabled map[string]map[string]bool
	pinned     map[string]bool
	wantTidy   bool
	// stagedMod is the go.mod stagedModFile computed last: before the
	// mod stage puts go.mod in the set, it is what the checks load with.
	stagedMod []byte
	// configs are the extra build configurations (tags) the Go stage
	// migrated files under; they are verified too.
	configs []rewrite.Config
	// vetBase is go vet's result on the module as it is on disk, per
	// build configuration; vetAnnounced are the new findings no change
	// causes alone, reported instead of withdrawn (verifyvet.go).
	vetBase      map[string]*verify.VetResult
	vetAnnounced []verify.Problem
	// registryBase holds the registration conflicts of the module as it
	// is on disk, by ID; registryReported the ones reported (conflicts.go).
	registryBase     map[string]protoreg.Conflict
	registryReported map[string]bool
}

func newPipeline(f *flags, stage string, patterns []string, stderr io.Writer) (*pipeline, error) {
	m, err := modroot.Find(f.dir)
	if err != nil && stage == "proto" {
		// A schema-only repository (buf.yaml or plain directories, no
		// go.mod): the proto stage needs no Go module.
		m, err = protows.SchemaRoot(f.dir)
	}
	if err != nil {
		return nil, err
	}
	if err := recoverWrite(m.Dir, stderr); err != nil {
		return nil, err
	}
	base, err := filepath.Abs(f.dir)
	if err != nil {
		return nil, err
	}
	return &pipeline{f: f, patterns: patterns, module: m, base: base, stderr: stderr, requires: map[string]string{},
		baseline: map[string][]verify.Problem{}, goDisabled: map[string]map[string]bool{}, pinned: map[string]bool{},
		vetBase: map[string]*verify.VetResult{}}, nil
}

// recoverWrite finishes or undoes the write of an earlier run that was
// killed while writing, before this run reads the module, and says which.
func recoverWrite(moduleDir string, stderr io.Writer) error {
	msg, err := apply.Recover(moduleDir)
	if msg != "" {
		fmt.Fprintf(stderr, "protolift: %s\n", msg)
	}
	return err
}

func (p *pipeline) overlay() map[string][]byte {
	ov := map[string][]byte{}
	for _, f := range p.set.Files {
		if !f.Deleted {
			ov[f.Path] = f.New
		}
	}
	return ov
}

func (p *pipeline) run(ctx context.Context, stage string) error {
	p.stage = stage
	stages := []struct {
		name string
		run  func(context.Context) error
	}{
		{"proto", p.protoStage},
		{"gen", p.genStage},
		{"go", p.goStage},
		{"mod", p.modStage},
	}
	known := false
	for _, s := range stages {
		if stage == "" || stage == s.name {
			known = true
			if err := s.run(ctx); err != nil {
				return err
			}
			if s.name == "gen" && stage == "" {
				// Regeneration that breaks hand-written code no rule
				// repairs is withdrawn before the Go stage loads it.
				if err := p.verify(ctx, afterGen); err != nil {
					return err
				}
			}
		}
	}
	if !known {
		return usageError{fmt.Sprintf("unknown stage %q", stage)}
	}
	if stage != "" && stage != "mod" && len(p.requires) > 0 {
		// A stage run alone still leaves go.mod requiring every API its
		// rewrites introduced, so the module builds; tidying is the mod
		// stage's job.
		if err := p.requireStage(ctx); err != nil {
			return err
		}
	}
	if err := p.verify(ctx, final); err != nil {
		return err
	}
	p.set.Sort()
	return nil
}

func (p *pipeline) showProgress() bool {
	if p.f.json || p.f.rdjsonl || p.f.progress == "never" {
		return false
	}
	if p.f.progress == "always" {
		return true
	}
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *pipeline) goStage(ctx context.Context) error {
	if len(p.patterns) > 0 {
		// A pattern that matches nothing is a mistake (a stage name
		// mistyped, a wrong path), never "nothing to do".
		if _, err := rewrite.MatchDirs(ctx, p.f.dir, p.patterns, p.tags()); err != nil {
			return usageError{err.Error()}
		}
	}
	res, err := p.runGo(ctx, p.patterns)
	if err != nil {
		return err
	}
	p.set.Merge(&res.Set)
	p.requires = p.fileRequires()
	p.configs = res.Configs
	return nil
}

// runGo runs the Go stage on patterns over what the other stages
// produced, with the rules verification withdrew disabled.
func (p *pipeline) runGo(ctx context.Context, patterns []string) (*rewrite.Result, error) {
	rs, err := p.selectRules()
	if err != nil {
		return nil, err
	}
	ov := map[string][]byte{}
	for _, f := range p.set.Files {
		if !f.Deleted && f.Stage != "go" {
			ov[f.Path] = f.New
		}
	}
	opts := rewrite.Options{Dir: p.f.dir, Patterns: patterns, Rules: rs, Overlay: ov,
		RuleOptions: map[string]string{"grpc.server": p.f.grpcServer, "keep-output-format": strconv.FormatBool(p.f.keepFormat)},
		Disabled:    p.goDisabled,
		// After earlier stages changed the module, a package they broke
		// is skipped and reported; verification withdraws the cause.
		KeepGoing: len(ov) > 0}
	if p.set.Lookup(p.gomodPath()) != nil || len(p.requires) > 0 {
		// Earlier stages (regenerated code) need newer modules than go.mod
		// has: type-check against a go.mod that already requires them.
		modFile, cleanup, err := p.modFileFor(ctx)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		opts.ModFile = modFile
	}
	if p.f.tags != "" {
		opts.Tags = strings.Split(p.f.tags, ",")
	}
	if p.showProgress() {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(p.stderr, "\rprotolift go: %d/%d package directories", done, total)
			if done == total {
				fmt.Fprintln(p.stderr)
			}
		}
	}
	return rewrite.Run(ctx, opts)
}

// extraRules are appended to the selected rules; tests use it to run
// rules that misbehave on purpose, to prove verification catches them.
var extraRules []*rule.Rule

func (p *pipeline) selectRules() ([]*rule.Rule, error) {
	rs, err := rules.Select(p.f.rules)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return append(rs, extraRules...), nil
}

// stagedModFile writes, to a temporary directory, the go.mod and go.sum
// the module would have with the requirements collected so far, for
// loading packages with -modfile before anything is written.
func (p *pipeline) stagedModFile(ctx context.Context) (string, func(), error) {
	set, err := gomod.Run(ctx, gomod.Options{Keep: p.pinned, ModuleDir: p.module.Dir, Requires: p.requires, Overlay: p.overlay(), GoLimit: p.goLimit(ctx)})
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "protolift-modfile-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	for _, name := range []string{"go.mod", "go.sum"} {
		content, err := os.ReadFile(filepath.Join(p.module.Dir, name))
		if err != nil && !os.IsNotExist(err) {
			cleanup()
			return "", nil, err
		}
		for _, f := range set.Files {
			if f.Path == filepath.Join(p.module.Dir, name) {
				content = f.New
			}
		}
		if name == "go.mod" {
			p.stagedMod = content
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	return filepath.Join(dir, "go.mod"), cleanup, nil
}

// protoStage fixes .proto files. Run alone, its arguments are .proto
// files or directories; in the full run they are Go package patterns, so
// it takes every .proto file of the module.
func (p *pipeline) protoStage(ctx context.Context) error {
	if p.f.prove != "" {
		return p.proveStage(ctx)
	}
	opts := protofile.Options{ModuleDir: p.module.Dir, Overlay: p.overlay(), Edition: p.f.edition, GoPackagePrefix: p.f.goPkgPrefix}
	if p.stage == "proto" {
		for _, a := range p.patterns {
			if a != "./..." {
				opts.Paths = append(opts.Paths, absFrom(p.base, a))
			}
		}
	}
	if p.f.goPkgMap != "" {
		opts.GoPackageMap = map[string]string{}
		for _, kv := range strings.Split(p.f.goPkgMap, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return usageError{fmt.Sprintf("-go-package-map: %q is not dir=importpath", kv)}
			}
			opts.GoPackageMap[filepath.ToSlash(filepath.Clean(k))] = v
		}
	}
	set, err := protofile.Run(ctx, opts)
	if err != nil {
		return err
	}
	if bad := protofile.Unparsable(set); len(bad) > 0 {
		// Nothing is written when a schema cannot be read (exit 2).
		var lines []string
		for _, d := range bad {
			rel, err := filepath.Rel(p.base, d.Path)
			if err != nil {
				rel = d.Path
			}
			lines = append(lines, d.Format(filepath.ToSlash(rel)))
		}
		return fmt.Errorf(".proto files do not parse; fix them first (nothing was written):\n\t%s", strings.Join(lines, "\n\t"))
	}
	for _, f := range set.Files {
		f.Stage = "proto"
	}
	p.set.Merge(set)
	return nil
}

// genStage regenerates legacy generated Go code with current generators.
func (p *pipeline) genStage(ctx context.Context) error {
	gens := p.generators(ctx)
	res, err := regen.Run(ctx, regen.Options{ModuleDir: p.module.Dir, Overlay: p.overlay(), AllowMissingUnimplemented: p.f.grpcServer == "keep",
		GoVersion: gens.Go, GRPCVersion: gens.GRPC})
	if err != nil {
		return err
	}
	for _, f := range res.Files {
		f.Stage = "gen"
		if f.Requires == nil {
			f.Requires = res.Requires
		}
	}
	p.set.Merge(&res.Set)
	p.requires = p.fileRequires()
	return nil
}

func absFrom(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
}

func (p *pipeline) modStage(ctx context.Context) error {
	p.wantTidy = p.f.tidy
	err := p.gomod(ctx, p.f.tidy)
	if err == nil || !p.f.tidy || ctx.Err() != nil {
		return err
	}
	// go mod tidy fails when a version raise removed a package some code
	// imports; verification finds that code and withdraws the raise, so
	// the run goes on with the requirements alone instead of giving up.
	first, _, _ := strings.Cut(err.Error(), "\n")
	p.set.Report(change.Diagnostic{Path: p.gomodPath(), Start: change.Position{Line: 1, Col: 1}, Rule: gomod.TidyRule, Risk: change.Review,
		Message: fmt.Sprintf("go mod tidy failed, so go.mod was updated without tidying (run go mod tidy after fixing the cause): %s", strings.TrimSpace(lastLines(err.Error(), 3, first)))})
	return p.gomod(ctx, false)
}

// lastLines returns the last n non-empty lines of s, or def.
func lastLines(s string, n int, def string) string {
	var ls []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			ls = append(ls, strings.TrimSpace(l))
		}
	}
	if len(ls) == 0 {
		return def
	}
	return strings.Join(ls[max(0, len(ls)-n):], " ")
}

func (p *pipeline) requireStage(ctx context.Context) error { return p.gomod(ctx, false) }

func (p *pipeline) gomod(ctx context.Context, tidy bool) error {
	if err := p.withdrawUnmet(ctx); err != nil {
		return err
	}
	set, err := gomod.Run(ctx, gomod.Options{Keep: p.pinned,
		GoLimit:   p.goLimit(ctx),
		ModuleDir: p.module.Dir,
		Requires:  p.requires,
		Overlay:   p.overlay(),
		Latest:    p.f.latest,
		Tidy:      tidy,
	})
	if err != nil {
		return err
	}
	for _, f := range set.Files {
		f.Stage = "mod"
	}
	p.set.Merge(set)
	return nil
}

// finish prints or writes the result and picks the exit status.
func (p *pipeline) finish(stdout, stderr io.Writer) int {
	written := false
	if p.f.write && len(p.set.Files) > 0 {
		if err := apply.Write(p.module.Dir, &p.set); err != nil {
			fmt.Fprintf(stderr, "protolift: %v\n", err)
			return exitError
		}
		written = true
	}
	var err error
	switch {
	case p.f.json:
		err = report.JSON(stdout, p.base, &p.set, p.requires, written)
	case p.f.rdjsonl:
		err = report.RDJSONL(stdout, p.base, &p.set)
	case p.f.list:
		err = report.List(stdout, p.base, &p.set)
	case p.f.write:
		// gofmt -w prints nothing.
	default:
		err = report.Diff(stdout, p.base, &p.set)
	}
	if err != nil {
		fmt.Fprintf(stderr, "protolift: %v\n", err)
		return exitError
	}
	if !p.f.json && !p.f.rdjsonl {
		report.Diagnostics(stderr, p.base, p.set.Diags)
	}
	if p.f.failManual && p.set.NeedsPerson() {
		return exitFindings
	}
	return exitOK
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
