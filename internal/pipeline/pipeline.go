// Package pipeline runs protolift's stages (proto, gen, go, mod) in
// order over one module, each seeing the previous stages' output through
// an overlay, and owns what ties them together: the staged go.mod the Go
// stage and the checks load with, the verification gate that attributes
// every new build error, go vet finding or registration conflict to the
// change that caused it and withdraws it (verify.go, verifyvet.go,
// conflicts.go), the withdrawal of changes that need module versions the
// allowed go directive cannot have (versions.go), and the change set the
// run produces. Nothing is written: a driver (cmd/protolift today; the
// plugin or an analyzer later) prints, writes or reports the Result.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/apply"
	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/internal/protoreg"
	"github.com/protolift/protolift/internal/protows"
	"github.com/protolift/protolift/internal/verify"
	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/stage/gomod"
	"github.com/protolift/protolift/stage/protofile"
	"github.com/protolift/protolift/stage/regen"
	"github.com/protolift/protolift/stage/rewrite"
)

// Options are what a driver decides for a run (cmd/protolift's flags).
type Options struct {
	// Dir is the module root or a directory inside the module.
	Dir string
	// Stage is the one stage to run (proto, gen, go, mod), or "" for all
	// of them in order.
	Stage string
	// Patterns are Go package patterns; run alone, the proto stage takes
	// .proto files or directories.
	Patterns []string

	// Rules selects the Go rules (registry.Select syntax; "" for all).
	Rules string
	// ExtraRules are appended to the selected rules; tests use them to
	// run rules that misbehave on purpose, to prove verification catches
	// them.
	ExtraRules []*rule.Rule
	// Tags are comma-separated build tags for loading Go packages.
	Tags string
	// KeepOutputFormat refuses every rewrite that changes produced text.
	KeepOutputFormat bool
	// GRPCServer is embed, unsafe or keep (-grpc-server).
	GRPCServer string

	// Latest requires the newest releases and generators.
	Latest bool
	// GoLimit is the Go version the go directive may rise to ("" keeps
	// the module's, unless Latest).
	GoLimit string
	// Tidy runs go mod tidy in the mod stage.
	Tidy bool
	// NoVerify turns the verification gate off (only to debug protolift).
	NoVerify bool

	// Edition, GoPackagePrefix and GoPackageMap (dir=importpath pairs,
	// comma-separated) are the proto stage's; Prove makes it check the
	// .proto files changed since a git revision instead.
	Edition         string
	GoPackagePrefix string
	GoPackageMap    string
	Prove           string

	// Progress shows the Go stage's progress on Stderr.
	Progress bool
	// Stderr receives progress and notes about the run (a recovered
	// write, -prove finding nothing to prove).
	Stderr io.Writer
}

// Default is a run with every default the CLI has (its flags start from
// these): gRPC servers embed UnimplementedXServer, the mod stage tidies,
// the gate verifies. Drivers other than the CLI (the plugin's migrate=
// preview) start from it so their result is the CLI's.
func Default() Options {
	return Options{GRPCServer: "embed", Tidy: true}
}

// UsageError is a mistake in what the driver asked for (an unknown stage
// or rule, a pattern matching nothing, a bad -go-package-map).
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Result is what a run leaves: the change set (sorted, withdrawn changes
// gone, findings in Set.Diags) and where it applies.
type Result struct {
	Set *change.Set
	// ModuleDir is the module's root, where the set is written.
	ModuleDir string
	// Base is the absolute Dir, that paths are reported relative to.
	Base string
	// Requires are the module requirements the changes need.
	Requires map[string]string
}

// Run runs opts.Stage (or every stage) and verifies the result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	p, err := newPipeline(opts)
	if err != nil {
		return nil, err
	}
	if err := p.run(ctx, opts.Stage); err != nil {
		return nil, err
	}
	return &Result{Set: &p.set, ModuleDir: p.module.Dir, Base: p.base, Requires: p.requires}, nil
}

// pipeline runs stages in order, feeding each the previous ones' output
// through an overlay so nothing touches the disk before the end.
type pipeline struct {
	opts     Options
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
	// goRan says the Go stage ran; goDiags are the findings its latest
	// run of each file reported (replaced when it runs again), and
	// rerunAll asks the gate to run it again on every package of the
	// run (verify.go, rerunGoAll).
	goRan    bool
	goDiags  map[change.Diagnostic]bool
	rerunAll bool
	// gateWithdrawn are the Go rewrites the gate withdrew because the
	// result did not type-check or vet (a rule on a file, or "*"), with
	// their reports: a regeneration withdrawn later may have been their
	// cause, so they are made again and verified anew.
	gateWithdrawn []gateWithdrawal
}

type gateWithdrawal struct {
	file, rule string
	report     change.Diagnostic
}

func newPipeline(opts Options) (*pipeline, error) {
	stage, stderr := opts.Stage, opts.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	m, err := modroot.Find(opts.Dir)
	if err != nil && stage == "proto" {
		// A schema-only repository (buf.yaml or plain directories, no
		// go.mod): the proto stage needs no Go module.
		m, err = protows.SchemaRoot(opts.Dir)
	}
	if err != nil {
		return nil, err
	}
	if err := apply.RecoverTo(m.Dir, stderr); err != nil {
		return nil, err
	}
	base, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	return &pipeline{opts: opts, patterns: opts.Patterns, module: m, base: base, stderr: stderr, requires: map[string]string{},
		baseline: map[string][]verify.Problem{}, goDisabled: map[string]map[string]bool{}, pinned: map[string]bool{},
		vetBase: map[string]*verify.VetResult{}}, nil
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
		return UsageError{fmt.Sprintf("unknown stage %q", stage)}
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
	p.keepRaiseSites()
	p.set.Sort()
	return nil
}

func (p *pipeline) goStage(ctx context.Context) error {
	if len(p.patterns) > 0 {
		// A pattern that matches nothing is a mistake (a stage name
		// mistyped, a wrong path), never "nothing to do".
		if _, err := rewrite.MatchDirs(ctx, p.opts.Dir, p.patterns, p.tags()); err != nil {
			return UsageError{err.Error()}
		}
	}
	res, err := p.runGo(ctx, p.patterns)
	if err != nil {
		return err
	}
	p.set.Merge(&res.Set)
	p.noteGoDiags(res.Diags)
	p.requires = p.fileRequires()
	p.configs = res.Configs
	p.goRan = true
	return nil
}

// noteGoDiags records ds as the Go stage's findings, which a later run of
// the stage on the same files replaces.
func (p *pipeline) noteGoDiags(ds []change.Diagnostic) {
	if p.goDiags == nil {
		p.goDiags = map[change.Diagnostic]bool{}
	}
	for _, d := range ds {
		p.goDiags[d] = true
	}
}

// runGo runs the Go stage on patterns over what the other stages
// produced, with the rules verification withdrew disabled.
func (p *pipeline) runGo(ctx context.Context, patterns []string) (*rewrite.Result, error) {
	rs, err := p.selectRules()
	if err != nil {
		return nil, err
	}
	// The Go stage sees what the stages before it left, never its own
	// earlier output nor the mod stage's go.mod: run again after a
	// withdrawal, it must rewrite the module as a fresh run over what
	// remains would (the tidied go.mod may no longer require modules the
	// original sources import, and loading against it would skip their
	// packages).
	ov := map[string][]byte{}
	reqs := map[string]string{}
	for _, f := range p.set.Files {
		if f.Deleted || f.Stage == "go" || f.Stage == "mod" {
			continue
		}
		ov[f.Path] = f.New
		for m, v := range f.Requires {
			if !p.pinned[m] {
				change.Require(reqs, m, v)
			}
		}
	}
	opts := rewrite.Options{Dir: p.opts.Dir, Patterns: patterns, Rules: rs, Overlay: ov,
		RuleOptions: map[string]string{"grpc.server": p.opts.GRPCServer, "keep-output-format": strconv.FormatBool(p.opts.KeepOutputFormat), rule.PinnedOption: p.pinnedList()},
		Disabled:    p.goDisabled,
		// After earlier stages changed the module, a package they broke
		// is skipped and reported; verification withdraws the cause.
		KeepGoing: len(ov) > 0}
	if len(reqs) > 0 {
		// Earlier stages (regenerated code) need newer modules than go.mod
		// has: type-check against a go.mod that already requires them.
		modFile, cleanup, err := p.stagedModFileWith(ctx, reqs, ov)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		opts.ModFile = modFile
	}
	if p.opts.Tags != "" {
		opts.Tags = strings.Split(p.opts.Tags, ",")
	}
	if p.opts.Progress {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(p.stderr, "\rprotolift go: %d/%d package directories", done, total)
			if done == total {
				fmt.Fprintln(p.stderr)
			}
		}
	}
	return rewrite.Run(ctx, opts)
}

// pinnedList lists, sorted and comma-separated, the modules whose raise
// was withdrawn, for rules that have a form without it (rule.Pass.Prefer).
func (p *pipeline) pinnedList() string {
	var out []string
	for m, ok := range p.pinned {
		if ok {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func (p *pipeline) selectRules() ([]*rule.Rule, error) {
	rs, err := registry.Select(p.opts.Rules)
	if err != nil {
		return nil, UsageError{err.Error()}
	}
	return append(rs, p.opts.ExtraRules...), nil
}

// stagedModFile writes, to a temporary directory, the go.mod and go.sum
// the module would have with the requirements collected so far, for
// loading packages with -modfile before anything is written.
func (p *pipeline) stagedModFile(ctx context.Context) (string, func(), error) {
	modFile, cleanup, err := p.stagedModFileWith(ctx, p.requires, p.overlay())
	if err == nil {
		p.stagedMod, err = os.ReadFile(modFile)
		if err != nil {
			cleanup()
		}
	}
	return modFile, cleanup, err
}

// stagedModFileWith is stagedModFile for the requirements reqs, with
// overlay as the module's sources.
func (p *pipeline) stagedModFileWith(ctx context.Context, reqs map[string]string, overlay map[string][]byte) (string, func(), error) {
	set, err := gomod.Run(ctx, gomod.Options{Keep: p.pinned, ModuleDir: p.module.Dir, Requires: reqs, Overlay: overlay, GoLimit: p.goLimit(ctx)})
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
	if p.opts.Prove != "" {
		return p.proveStage(ctx)
	}
	opts := protofile.Options{ModuleDir: p.module.Dir, Overlay: p.overlay(), Edition: p.opts.Edition, GoPackagePrefix: p.opts.GoPackagePrefix}
	if p.stage == "proto" {
		for _, a := range p.patterns {
			if a != "./..." {
				opts.Paths = append(opts.Paths, protows.Abs(p.base, a))
			}
		}
	}
	if p.opts.GoPackageMap != "" {
		opts.GoPackageMap = map[string]string{}
		for _, kv := range strings.Split(p.opts.GoPackageMap, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return UsageError{fmt.Sprintf("-go-package-map: %q is not dir=importpath", kv)}
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
	res, err := regen.Run(ctx, regen.Options{ModuleDir: p.module.Dir, Overlay: p.overlay(), AllowMissingUnimplemented: p.opts.GRPCServer == "keep",
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

func (p *pipeline) modStage(ctx context.Context) error {
	p.wantTidy = p.opts.Tidy
	err := p.gomod(ctx, p.opts.Tidy)
	if err == nil || !p.opts.Tidy || ctx.Err() != nil {
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
		Latest:    p.opts.Latest,
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
