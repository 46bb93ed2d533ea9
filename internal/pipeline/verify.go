package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/udiff"
	"github.com/protolift/protolift/internal/verify"
	"github.com/protolift/protolift/stage/regen"
	"github.com/protolift/protolift/stage/rewrite"
)

// The verification gate. "If the module built before, what protolift
// writes builds" is a property of the pipeline, not a hope about each
// rule: after regeneration and again after the last stage, every package
// of the module (tests included) is type-checked as the change set would
// leave it. Errors the module already had are the user's. Each new error
// is attributed to the change that caused it — a rule's rewrite of a
// file, a whole rewritten file, a package's regenerated code, or a module
// version raise — which is withdrawn (with what depended on it, found in
// the next round) and reported as "not rewritten: <compiler message>".
// Rounds repeat until the result has no new error; if an error cannot be
// attributed, the run fails and nothing is written.

// verifyPoint says where in the pipeline the gate runs.
type verifyPoint int

const (
	// afterGen checks regenerated code before the Go stage: errors a Go
	// rule exists to repair (servers that must embed Unimplemented…) are
	// expected there.
	afterGen verifyPoint = iota
	// final checks the whole result.
	final
)

// maxVerifyRounds bounds the withdraw-and-recheck loop; each round
// withdraws at least one change, and real modules settle in a few.
const maxVerifyRounds = 25

// culprit is one change the gate can withdraw.
type culprit struct {
	kind   string // "rules", "file", "gen", "raise"
	file   string
	rules  []string
	dir    string
	module string
	why    verify.Problem
	// effect says what the change does, for the report ("" means it
	// breaks the build).
	effect string
}

func (c culprit) key() string {
	return c.kind + "\x00" + c.file + "\x00" + strings.Join(c.rules, ",") + "\x00" + c.dir + "\x00" + c.module
}

// verify runs the gate at point.
func (p *pipeline) verify(ctx context.Context, point verifyPoint) error {
	if p.opts.NoVerify {
		return nil
	}
	var repairable func(string) bool
	if point == afterGen {
		rs, err := p.selectRules()
		if err != nil {
			return err
		}
		repairable = rewrite.Repairable(rs)
	}
	for round := 0; round < maxVerifyRounds; round++ {
		if !p.changesGo() {
			return nil
		}
		news, err := p.newProblems(ctx, repairable)
		if err != nil {
			return err
		}
		var culprits []culprit
		if len(news) == 0 {
			if point != final {
				return nil
			}
			// The result builds: now it must not give go vet anything to
			// say that it did not say about the module before.
			if news, err = p.newVetProblems(ctx); err != nil {
				return err
			}
			// Then the one runtime failure a version raise or a
			// regeneration causes by itself (conflicts.go).
			if len(news) == 0 {
				if culprits, err = p.registryCulprits(ctx); err != nil || len(culprits) == 0 {
					return err
				}
			}
		}
		seen := map[string]bool{}
		for _, pr := range news {
			var c culprit
			var ok bool
			if pr.Analyzer != "" {
				if c, ok = p.attributeVet(pr); !ok {
					p.announceVet(pr)
					continue
				}
			} else if c, ok = p.attribute(ctx, pr); !ok {
				continue
			}
			if !seen[c.key()] {
				seen[c.key()] = true
				culprits = append(culprits, c)
			}
		}
		if len(culprits) == 0 {
			if news[0].Analyzer != "" {
				// Every finding was announced: nothing to withdraw.
				continue
			}
			return unattributed(news)
		}
		requiresBefore := fmt.Sprint(p.fileRequires(), p.pinned)
		var rerun []string
		raise := false
		for _, c := range culprits {
			rerun = append(rerun, p.withdraw(c)...)
			raise = raise || c.kind == "raise"
		}
		if raise && len(rerun) > 0 {
			// The files rerun because a raise was withdrawn type-check
			// against the go.mod without it (a rule that prefers the
			// raise writes its other form there: rule.Pass.Prefer).
			if err := p.recomputeMod(ctx, point, requiresBefore); err != nil {
				return err
			}
			requiresBefore = fmt.Sprint(p.fileRequires(), p.pinned)
		}
		if p.rerunAll {
			// A package's regeneration was withdrawn: every Go rewrite
			// made against its new code (in the package, in its users
			// anywhere in the module, in any build configuration, and in
			// the functions those users call) is made again against the
			// old code, as a fresh run would, and verified next round.
			p.rerunAll = false
			if err := p.rerunGoAll(ctx); err != nil {
				return err
			}
		} else if len(rerun) > 0 {
			if err := p.rerunGo(ctx, rerun); err != nil {
				return err
			}
		}
		if err := p.recomputeMod(ctx, point, requiresBefore); err != nil {
			return err
		}
	}
	news, err := p.newProblems(ctx, repairable)
	if err != nil {
		return err
	}
	if len(news) > 0 {
		return unattributed(news)
	}
	return nil
}

func unattributed(news []verify.Problem) error {
	var lines []string
	for i, pr := range news {
		if i == 10 {
			lines = append(lines, fmt.Sprintf("... and %d more", len(news)-10))
			break
		}
		lines = append(lines, pr.String())
	}
	return fmt.Errorf("the migrated module would not build and protolift could not tell which change causes it, so nothing was written; please report this with the errors:\n\t%s", strings.Join(lines, "\n\t"))
}

// changesGo reports whether the set changes anything the Go build sees.
func (p *pipeline) changesGo() bool {
	for _, f := range p.set.Files {
		if strings.HasSuffix(f.Path, ".go") || filepath.Base(f.Path) == "go.mod" || filepath.Base(f.Path) == "go.sum" {
			return true
		}
	}
	return false
}

// newProblems type-checks the module as the set leaves it and returns
// the errors its baseline does not have.
func (p *pipeline) newProblems(ctx context.Context, repairable func(string) bool) ([]verify.Problem, error) {
	return p.eachConfig(ctx, func(cfg verify.Config) ([]verify.Problem, error) {
		got, err := verify.Check(ctx, cfg)
		if err != nil {
			return nil, err
		}
		news, err := p.newIn(ctx, strings.Join(cfg.Tags, ","), cfg.Tags, got)
		if err != nil {
			return nil, err
		}
		var out []verify.Problem
		for _, pr := range news {
			if repairable == nil || !repairable(pr.Msg) {
				out = append(out, pr)
			}
		}
		return out, nil
	})
}

// eachConfig runs check on the module as the set leaves it (overlay and
// staged go.mod in cfg) under each build configuration the run covers and
// collects what it returns. The default configuration covers every
// package; each extra one (files only some build tags include) covers the
// packages that needed it.
func (p *pipeline) eachConfig(ctx context.Context, check func(cfg verify.Config) ([]verify.Problem, error)) ([]verify.Problem, error) {
	modFile, cleanup, err := p.modFileFor(ctx)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	ov := p.verifyOverlay()
	configs := append([]rewrite.Config{{Tags: p.tags()}}, p.configs...)
	var out []verify.Problem
	for i, c := range configs {
		if i > 0 && len(c.Dirs) == 0 {
			continue
		}
		got, err := check(verify.Config{ModuleDir: p.module.Dir, Dirs: c.Dirs, Overlay: ov, ModFile: modFile, Tags: c.Tags})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// newIn returns the problems of got that the baseline (the module as it
// is on disk, under the same tags) does not have.
func (p *pipeline) newIn(ctx context.Context, config string, tags []string, got []verify.Problem) ([]verify.Problem, error) {
	if len(got) == 0 {
		return nil, nil
	}
	key := func(dir string) string { return config + "\x00" + dir }
	var missing []string
	for _, d := range verify.Dirs(got) {
		if _, ok := p.baseline[key(d)]; !ok {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		base, err := verify.Check(ctx, verify.Config{ModuleDir: p.module.Dir, Dirs: missing, Tags: tags})
		if err != nil {
			return nil, err
		}
		for _, d := range missing {
			p.baseline[key(d)] = nil
		}
		for _, pr := range base {
			p.baseline[key(pr.Dir)] = append(p.baseline[key(pr.Dir)], pr)
		}
	}
	var base []verify.Problem
	for _, d := range verify.Dirs(got) {
		base = append(base, p.baseline[key(d)]...)
	}
	return verify.New(base, got), nil
}

// verifyOverlay returns the set's files the checks load through an
// overlay (go.mod and go.sum go through -modfile).
func (p *pipeline) verifyOverlay() map[string][]byte {
	ov := map[string][]byte{}
	for _, f := range p.set.Files {
		if !f.Deleted && f.Path != p.gomodPath() && f.Path != p.gosumPath() {
			ov[f.Path] = f.New
		}
	}
	return ov
}

func (p *pipeline) tags() []string {
	if p.opts.Tags == "" {
		return nil
	}
	return strings.Split(p.opts.Tags, ",")
}

func (p *pipeline) gomodPath() string { return filepath.Join(p.module.Dir, "go.mod") }
func (p *pipeline) gosumPath() string { return filepath.Join(p.module.Dir, "go.sum") }

// modFileFor returns a go.mod (go.sum beside it) for loading the
// module as the set leaves it: the set's own when the mod stage ran,
// else one computed from the requirements collected so far.
func (p *pipeline) modFileFor(ctx context.Context) (string, func(), error) {
	if p.set.Lookup(p.gomodPath()) == nil && len(p.requires) > 0 {
		return p.stagedModFile(ctx)
	}
	return p.writeStagedMod()
}

// writeStagedMod writes the go.mod and go.sum the set would leave (or
// the module's own) to a temporary directory, for -modfile.
func (p *pipeline) writeStagedMod() (string, func(), error) {
	dir, err := os.MkdirTemp("", "protolift-verify-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	for _, name := range []string{"go.mod", "go.sum"} {
		src := filepath.Join(p.module.Dir, name)
		content, err := os.ReadFile(src)
		if err != nil && !os.IsNotExist(err) {
			cleanup()
			return "", nil, err
		}
		if f := p.set.Lookup(src); f != nil {
			content = f.New
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	return filepath.Join(dir, "go.mod"), cleanup, nil
}

var importPathInMsg = regexp.MustCompile(`(?:could not import|no required module provides package|package|cannot find package|is not in std|module .* provides package) "?([a-zA-Z0-9._~\-]+\.[a-zA-Z]+/[^\s"();:]+)"?`)

// removedAPI matches the messages a dependency's changed API gives, with
// the package qualifier of what changed: an identifier gone, an interface
// that gained a method, a type that lost a field or method. Other
// messages that merely mention a package (a value "of type *pkg.T") say
// nothing about which side changed.
var removedAPI = regexp.MustCompile(`undefined: ([A-Za-z_][A-Za-z0-9_]*)\.|does not implement \*?([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]+ \(missing method|\(type \*?([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]+ has no field or method`)

// attribute finds the change that causes pr.
func (p *pipeline) attribute(ctx context.Context, pr verify.Problem) (culprit, bool) {
	f := p.set.Lookup(pr.File)
	if f != nil && f.Stage == "go" {
		if rs := p.rulesAt(f, pr.Line); len(rs) > 0 {
			return culprit{kind: "rules", file: f.Path, rules: rs, why: pr}, true
		}
	}
	// An error on a line no rule touched that names a package of a module
	// whose version changed is the raise's doing (an API removed there).
	if mod := p.raisedModuleOf(ctx, pr); mod != "" {
		return culprit{kind: "raise", module: mod, why: pr}, true
	}
	if f != nil && f.Stage == "go" {
		return culprit{kind: "file", file: f.Path, why: pr}, true
	}
	if f != nil && f.Stage == "gen" {
		return culprit{kind: "gen", dir: filepath.Dir(f.Path), why: pr}, true
	}
	// An unchanged file broken by a change elsewhere: in its own package
	// first, then in the module packages it imports.
	for _, dir := range append([]string{pr.Dir}, pr.Imports...) {
		if c, ok := p.changedIn(dir, pr); ok {
			return c, true
		}
	}
	// Nothing of the module's own changed near it: the versions did (a
	// dependency that no longer builds against what the raise dragged
	// in, say). Withdraw one raise per round, grpc before protobuf (the
	// one more rewrites need), and let the next round tell.
	if m := p.lastResortRaise(); m != "" {
		return culprit{kind: "raise", module: m, why: pr}, true
	}
	return culprit{}, false
}

// lastResortRaise picks a module protolift raised to withdraw when an
// error has no better explanation.
func (p *pipeline) lastResortRaise() string {
	var cands []string
	for m := range p.changedModules() {
		if !p.pinned[m] {
			cands = append(cands, m)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		pi, pj := cands[i] == "google.golang.org/protobuf", cands[j] == "google.golang.org/protobuf"
		if pi != pj {
			return pj
		}
		return cands[i] < cands[j]
	})
	if len(cands) == 0 {
		return ""
	}
	return cands[0]
}

// changedIn picks a change in package directory dir: a rewritten
// hand-written file first (the smaller withdrawal), else the package's
// regenerated code.
func (p *pipeline) changedIn(dir string, pr verify.Problem) (culprit, bool) {
	var gen bool
	for _, f := range p.set.Files {
		if filepath.Dir(f.Path) != dir {
			continue
		}
		switch f.Stage {
		case "go":
			return culprit{kind: "file", file: f.Path, why: pr}, true
		case "gen":
			gen = true
		}
	}
	if gen {
		return culprit{kind: "gen", dir: dir, why: pr}, true
	}
	return culprit{}, false
}

// rulesAt returns the rules (not yet withdrawn) whose edits cover the
// old lines that became line newLine of f.
func (p *pipeline) rulesAt(f *change.File, newLine int) []string {
	lo, hi := oldLines(f.Old, f.New, newLine)
	var out []string
	for _, e := range f.Edits {
		if e.Start.Line <= hi && e.End.Line >= lo && !p.goDisabled[f.Path][e.Rule] && !slices.Contains(out, e.Rule) {
			out = append(out, e.Rule)
		}
	}
	return out
}

// origPos says where pr is in the file as it is on disk, the version a
// report's positions refer to: a line protolift did not change maps to
// its line there; a line inside a changed run maps to the run's first
// line (without a column).
func (p *pipeline) origPos(pr verify.Problem) string {
	f := p.set.Lookup(pr.File)
	if f == nil || f.Created || f.Old == nil || pr.Line == 0 {
		return fmt.Sprintf("%s:%d:%d", p.rel(pr.File), pr.Line, pr.Col)
	}
	lo, hi := oldLines(f.Old, f.New, pr.Line)
	if lo != hi || lo != pr.Line && bytesLine(f.Old, lo) != bytesLine(f.New, pr.Line) {
		return fmt.Sprintf("%s:%d", p.rel(pr.File), lo)
	}
	return fmt.Sprintf("%s:%d:%d", p.rel(pr.File), lo, pr.Col)
}

// bytesLine returns line n (1-based) of b, or "".
func bytesLine(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// oldLines maps line newLine of new back to the range of old lines it
// came from: the replaced run when the line is part of a change, else
// the one line it is a copy of.
func oldLines(old, new []byte, newLine int) (lo, hi int) {
	delta := 0
	for _, r := range udiff.Replacements(old, new) {
		startNew := r.OldStart + delta
		n := strings.Count(r.Text, "\n")
		if newLine < startNew {
			break
		}
		if newLine < startNew+n || (n == 0 && newLine == startNew) {
			end := r.OldEnd - 1
			if end < r.OldStart {
				end = r.OldStart
			}
			return r.OldStart, end
		}
		delta += n - (r.OldEnd - r.OldStart)
	}
	l := newLine - delta
	return l, l
}

// raisedModuleOf returns the module whose version change removed what
// pr cannot find, or "".
func (p *pipeline) raisedModuleOf(ctx context.Context, pr verify.Problem) string {
	changed := p.changedModules()
	if len(changed) == 0 {
		return ""
	}
	// The packages the message names: an import path, or qualified
	// identifiers (pb.RegisterGreeterServer, helloworld.GreeterServer)
	// resolved through the erring file's imports.
	var paths []string
	if m := importPathInMsg.FindStringSubmatch(pr.Msg); m != nil {
		paths = append(paths, m[1])
	} else if pr.File != "" {
		src := p.read(pr.File)
		for _, m := range removedAPI.FindAllStringSubmatch(pr.Msg, -1) {
			for _, q := range m[1:] {
				if ip := importOf(src, q); q != "" && ip != "" && !slices.Contains(paths, ip) {
					paths = append(paths, ip)
				}
			}
		}
	}
	mod := ""
	for _, importPath := range paths {
		if strings.HasPrefix(importPath, p.module.Path+"/") || importPath == p.module.Path {
			continue
		}
		for m := range changed {
			if (importPath == m || strings.HasPrefix(importPath, m+"/")) && len(m) > len(mod) {
				mod = m
			}
		}
	}
	if mod == "" {
		// A module the staged go.mod no longer requires at all: the
		// selected version, dragged up by a raise, lacks the package the
		// module imports, and tidy dropped the requirement (grpc v1.63
		// drags go-control-plane to v0.12, which has no pkg/cache).
		for _, importPath := range paths {
			for m, old := range p.droppedModules() {
				if importPath == m || strings.HasPrefix(importPath, m+"/") {
					return p.draggedBy(ctx, m, func(v string) bool { return semver.Compare(v, old) > 0 })
				}
			}
		}
		return ""
	}
	if _, ours := p.fileRequires()[mod]; ours {
		return mod
	}
	// Dragged along by a module we raised: blame the one whose new
	// version requires it at its new version; else the module itself
	// (the mod stage raised it on its own account: a floor, a fix).
	if by := p.draggedBy(ctx, mod, func(v string) bool { return v == changed[mod] }); by != "" {
		return by
	}
	// A module whose raise was withdrawn before the Go stage ran (after
	// regeneration) moves again when rules that need it import its newer
	// packages: go mod tidy adds its latest release for them. Those rules
	// are the culprits (protoreflect: grpc withdrawn, then raised to the
	// latest, which lacks test/grpc_testing).
	if !p.pinned[mod] || p.rulesNeed(mod) {
		return mod
	}
	return p.lastResortRaise()
}

// rulesNeed reports whether a rule application still in the set needs
// mod.
func (p *pipeline) rulesNeed(mod string) bool {
	for _, f := range p.set.Files {
		if f.Stage != "go" {
			continue
		}
		for r, req := range f.RuleRequires {
			if _, ok := req[mod]; ok && !p.goDisabled[f.Path][r] {
				return true
			}
		}
	}
	return false
}

// read returns a file's content as the set leaves it.
func (p *pipeline) read(file string) []byte {
	if f := p.set.Lookup(file); f != nil {
		return f.New
	}
	b, _ := os.ReadFile(file)
	return b
}

// importOf returns the import path a file imports under name.
func importOf(src []byte, name string) string {
	af, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		return ""
	}
	for _, is := range af.Imports {
		ip, _ := strconv.Unquote(is.Path.Value)
		// The name as the file wrote it, and the package's own name
		// (which type names in compiler messages use): usually the last
		// path element, without a major-version suffix.
		base := path.Base(ip)
		if strings.HasPrefix(base, "v") && len(base) > 1 && base[1] >= '0' && base[1] <= '9' {
			base = path.Base(path.Dir(ip))
		}
		if base == name || is.Name != nil && is.Name.Name == name {
			return ip
		}
	}
	return ""
}

// changedModules returns the modules whose required version differs
// between the module's go.mod and the set's, with their new versions.
func (p *pipeline) changedModules() map[string]string {
	before, after := p.requireLists()
	old := map[string]string{}
	for _, r := range before {
		old[r.Mod.Path] = r.Mod.Version
	}
	out := map[string]string{}
	for _, r := range after {
		if old[r.Mod.Path] != r.Mod.Version {
			out[r.Mod.Path] = r.Mod.Version
		}
	}
	return out
}

// droppedModules maps the modules go.mod required before and the staged
// go.mod no longer requires to their old versions.
func (p *pipeline) droppedModules() map[string]string {
	before, after := p.requireLists()
	out := map[string]string{}
	for _, r := range before {
		out[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range after {
		delete(out, r.Mod.Path)
	}
	return out
}

// requireLists returns the require lines of go.mod on disk and of the
// staged go.mod; both nil when go.mod is not changed.
func (p *pipeline) requireLists() (before, after []*modfile.Require) {
	var oldMod, newMod []byte
	if f := p.set.Lookup(p.gomodPath()); f != nil {
		oldMod, newMod = f.Old, f.New
	} else if p.stagedMod != nil {
		oldMod, _ = os.ReadFile(p.gomodPath())
		newMod = p.stagedMod
	} else {
		return nil, nil
	}
	b, err1 := modfile.ParseLax("go.mod", oldMod, nil)
	a, err2 := modfile.ParseLax("go.mod", newMod, nil)
	if err1 != nil || err2 != nil {
		return nil, nil
	}
	return b.Require, a.Require
}

// draggedBy finds which module protolift raised requires mod at a
// version that matches (directly or through others), from the staged
// module graph.
func (p *pipeline) draggedBy(ctx context.Context, mod string, match func(version string) bool) string {
	modFile, cleanup, err := p.writeStagedMod()
	if err != nil {
		return ""
	}
	defer cleanup()
	cmd := exec.CommandContext(ctx, "go", "mod", "graph", "-modfile="+modFile)
	cmd.Dir = p.module.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	edges := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " ")
		if ok {
			edges[from] = append(edges[from], to)
		}
	}
	changed := p.changedModules()
	ours := p.fileRequires()
	var cands []string
	for m := range ours {
		if v, ok := changed[m]; ok {
			cands = append(cands, m+"@"+v)
		}
	}
	sort.Strings(cands)
	for _, c := range cands {
		seen := map[string]bool{}
		stack := []string{c}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if m, v, _ := strings.Cut(n, "@"); m == mod && match(v) {
				raised, _, _ := strings.Cut(c, "@")
				return raised
			}
			if seen[n] {
				continue
			}
			seen[n] = true
			stack = append(stack, edges[n]...)
		}
	}
	return ""
}

// fileRequires merges the requirements of the files that stay in the
// set.
func (p *pipeline) fileRequires() map[string]string {
	out := map[string]string{}
	for _, f := range p.set.Files {
		for m, v := range f.Requires {
			if !p.pinned[m] {
				change.Require(out, m, v)
			}
		}
	}
	return out
}

// withdraw takes c's change out of the set and reports it. It returns
// the files whose Go rewrite must run again with fewer rules.
func (p *pipeline) withdraw(c culprit) []string {
	msg := c.why.Msg
	where := ""
	if c.why.File != "" {
		where = " (at " + p.origPos(c.why) + ")"
	}
	effect := "breaks the build"
	if c.effect != "" {
		effect = c.effect
	}
	switch c.kind {
	case "rules":
		f := p.set.Lookup(c.file)
		for _, r := range c.rules {
			p.disable(c.file, r)
			pos := editOf(f, r)
			m := fmt.Sprintf("not rewritten: the rewrite does not type-check: %s%s", msg, where)
			if vet := c.why.Analyzer; vet != "" {
				m = fmt.Sprintf("not rewritten: %s%s; %s", msg, where, vetAdvice(vet))
			}
			d := change.Diagnostic{Path: c.file, Start: pos, End: pos, Rule: r, Risk: change.Manual, Message: m}
			p.set.Report(d)
			p.gateWithdrawn = append(p.gateWithdrawn, gateWithdrawal{file: c.file, rule: r, report: d})
		}
		return []string{c.file}
	case "file":
		p.disable(c.file, "*")
		p.set.Remove(c.file)
		m := fmt.Sprintf("not rewritten: the file's migration breaks the build: %s%s; migrate it by hand", msg, where)
		if vet := c.why.Analyzer; vet != "" {
			m = fmt.Sprintf("not rewritten: %s%s; the file's migration causes it, %s", msg, where, vetAdvice(vet))
		}
		d := change.Diagnostic{Path: c.file, Start: change.Position{Line: 1, Col: 1}, Rule: rewrite.VerifyRule, Risk: change.Manual, Message: m}
		p.set.Report(d)
		p.gateWithdrawn = append(p.gateWithdrawn, gateWithdrawal{file: c.file, rule: "*", report: d})
	case "gen":
		advice := "adapt that code, then run protolift gen"
		if rs, err := p.selectRules(); err == nil && p.stage == "gen" && rewrite.Repairable(rs)(msg) {
			advice = "the go stage adapts such code: run every stage (protolift -w ./...) instead of protolift gen alone"
		}
		p.withdrawScripts(c.dir)
		what := "the regenerated code " + strings.Replace(effect, "breaks the build", "breaks code that uses it", 1)
		if vet := c.why.Analyzer; vet != "" {
			what, advice = "with the regenerated code, go vet reports code that uses it", vetAdvice(vet)
		}
		for _, f := range slices.Clone(p.set.Files) {
			if f.Stage == "gen" && filepath.Dir(f.Path) == c.dir && strings.HasSuffix(f.Path, ".go") {
				p.set.Remove(f.Path)
				if !f.Created {
					p.set.Report(change.Diagnostic{Path: f.Path, Start: change.Position{Line: 1, Col: 1}, Rule: regen.RegenerateRule, Risk: change.Manual,
						Message: fmt.Sprintf("not regenerated: %s: %s%s; the old generated code is kept: %s", what, msg, where, advice)})
				}
			}
		}
		// Go rewrites made against the regenerated code are made again
		// against the old one (the gate reruns the Go stage), rather than
		// withdrawn one by one as they stop type-checking or left out
		// where the old code lets a rule apply that the new one did not.
		// Which rewrites depended on it is not only a question of
		// imports: a rule decides a function's parameter from what its
		// callers pass, so the whole run is redone.
		// The Go rewrites the gate withdrew before are made again too:
		// the regenerated code may have been what broke them (a file
		// blamed for an error in code beside the regenerated package);
		// those it did not break are found and withdrawn again.
		if p.goRan {
			p.rerunAll = true
			p.undoGateWithdrawals()
		}
		return nil
	case "raise":
		again := p.pinned[c.module]
		p.pinned[c.module] = true
		var rerun []string
		fellBack := false
		for _, f := range slices.Clone(p.set.Files) {
			switch {
			case f.Stage == "go":
				for r, req := range f.RuleRequires {
					if _, ok := req[c.module]; ok && slices.Contains(f.RuleFallbacks[r], c.module) {
						// The rule has a form without the raise: it runs
						// again, seeing the module pinned (rule.Pass.Prefer).
						fellBack = true
						if !slices.Contains(rerun, f.Path) {
							rerun = append(rerun, f.Path)
						}
						continue
					}
					if _, ok := req[c.module]; ok {
						p.disable(f.Path, r)
						if !slices.Contains(rerun, f.Path) {
							rerun = append(rerun, f.Path)
						}
						pos := editOf(f, r)
						p.set.Report(change.Diagnostic{Path: f.Path, Start: pos, End: pos, Rule: r, Risk: change.Manual,
							Message: fmt.Sprintf("not rewritten: it needs %s %s, and raising %s %s: %s%s", c.module, req[c.module], c.module, effect, msg, where)})
					}
				}
			case f.Stage == "gen" && f.Requires[c.module] != "":
				for _, u := range p.withdraw(culprit{kind: "gen", dir: filepath.Dir(f.Path), why: c.why, effect: c.effect}) {
					if !slices.Contains(rerun, u) {
						rerun = append(rerun, u)
					}
				}
			}
		}
		if again {
			return rerun
		}
		pos := p.requireLine(c.module)
		outcome := "the rewrites that needed it were withdrawn"
		if fellBack {
			outcome += ", or written in the form that does without it"
		}
		p.set.Report(change.Diagnostic{Path: p.gomodPath(), Start: pos, End: pos, Rule: RaiseRule, Risk: change.Manual,
			Message: fmt.Sprintf("%s was not raised: the new version %s: %s%s; %s", c.module, effect, msg, where, outcome)})
		return rerun
	}
	return nil
}

// undoGateWithdrawals enables again the Go rewrites the gate withdrew
// and drops their reports.
func (p *pipeline) undoGateWithdrawals() {
	for _, w := range p.gateWithdrawn {
		delete(p.goDisabled[w.file], w.rule)
		if i := slices.Index(p.set.Diags, w.report); i >= 0 {
			p.set.Diags = slices.Delete(p.set.Diags, i, i+1)
		}
	}
	p.gateWithdrawn = nil
}

// withdrawScripts takes back the gen stage's rewrites of generation
// scripts once the regeneration of dir is withdrawn: the scripts would
// otherwise generate code that breaks the build where protolift kept the
// old code. Their announcements become findings for a person.
func (p *pipeline) withdrawScripts(dir string) {
	for _, f := range slices.Clone(p.set.Files) {
		if f.Stage != "gen" || strings.HasSuffix(f.Path, ".go") {
			continue
		}
		p.set.Remove(f.Path)
		p.set.Diags = slices.DeleteFunc(p.set.Diags, func(d change.Diagnostic) bool {
			return d.Path == f.Path && d.Rule == regen.ScriptRule && d.Risk != change.Manual
		})
		if len(f.Edits) > 0 {
			pos := f.Edits[0].Start
			p.set.Report(change.Diagnostic{Path: f.Path, Start: pos, End: pos, Rule: regen.ScriptRule, Risk: change.Manual,
				Message: fmt.Sprintf("not rewritten: the regeneration of %s was withdrawn, and this script would regenerate it; it still asks protoc-gen-go for plugins=grpc and golang/protobuf's well-known-type packages", p.rel(dir))})
		}
	}
}

// requireLine returns where the module's go.mod (as it is on disk)
// requires mod, or its first line.
func (p *pipeline) requireLine(mod string) change.Position {
	data, err := os.ReadFile(p.gomodPath())
	if err == nil {
		if mf, err := modfile.ParseLax("go.mod", data, nil); err == nil {
			for _, r := range mf.Require {
				if r.Mod.Path == mod && r.Syntax != nil {
					return change.Position{Line: r.Syntax.Start.Line, Col: r.Syntax.Start.LineRune, Offset: r.Syntax.Start.Byte}
				}
			}
		}
	}
	return change.Position{Line: 1, Col: 1}
}

// editOf returns where rule first changed f.
func editOf(f *change.File, rule string) change.Position {
	for _, e := range f.Edits {
		if e.Rule == rule {
			return e.Start
		}
	}
	return change.Position{Line: 1, Col: 1}
}

func (p *pipeline) disable(file, rule string) {
	if p.goDisabled[file] == nil {
		p.goDisabled[file] = map[string]bool{}
	}
	p.goDisabled[file][rule] = true
}

func (p *pipeline) rel(file string) string {
	if r, err := filepath.Rel(p.base, file); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return file
}

// rerunGo runs the Go stage again on the packages of files, with the
// rules withdrawn so far disabled, and replaces those files' changes.
func (p *pipeline) rerunGo(ctx context.Context, files []string) error {
	var pats []string
	for _, f := range files {
		rel, err := filepath.Rel(p.module.Dir, filepath.Dir(f))
		if err != nil {
			return err
		}
		pat := "./" + filepath.ToSlash(rel)
		if !slices.Contains(pats, pat) {
			pats = append(pats, pat)
		}
	}
	res, err := p.runGo(ctx, pats)
	if err != nil {
		return err
	}
	// Files the stage creates in those packages (protolift_helpers.go)
	// hold what the package's rewrites need: take them from this run too.
	dirs := map[string]bool{}
	for _, f := range files {
		dirs[filepath.Dir(f)] = true
	}
	for _, f := range slices.Clone(p.set.Files) {
		if f.Stage == "go" && f.Created && dirs[filepath.Dir(f.Path)] && !p.goDisabled[f.Path]["*"] {
			files = append(files, f.Path)
		}
	}
	for _, nf := range res.Files {
		if nf.Created && dirs[filepath.Dir(nf.Path)] && !slices.Contains(files, nf.Path) && !p.goDisabled[nf.Path]["*"] {
			files = append(files, nf.Path)
		}
	}
	for _, f := range files {
		p.set.Remove(f)
		if nf := res.Lookup(f); nf != nil {
			p.set.Put(nf)
		}
	}
	p.replaceGoDiags(res, func(path string) bool { return slices.Contains(files, path) })
	p.addConfigs(res.Configs)
	return nil
}

// rerunGoAll runs the Go stage again on every package of the run, with
// the rules withdrawn so far disabled, against what the other stages
// leave now, and replaces everything the stage changed and reported.
func (p *pipeline) rerunGoAll(ctx context.Context) error {
	res, err := p.runGo(ctx, p.patterns)
	if err != nil {
		return err
	}
	for _, f := range slices.Clone(p.set.Files) {
		if f.Stage == "go" {
			p.set.Remove(f.Path)
		}
	}
	for _, nf := range res.Files {
		if !p.goDisabled[nf.Path]["*"] {
			p.set.Put(nf)
		}
	}
	p.replaceGoDiags(res, func(string) bool { return true })
	p.configs = res.Configs
	return nil
}

// replaceGoDiags drops the Go stage's earlier findings about the files
// mine says it ran on again and reports res's about them instead: they
// were about code the stage saw then (a regenerated package, a rule
// since disabled), and a package the new run could not load is reported
// there rather than left unmigrated silently.
func (p *pipeline) replaceGoDiags(res *rewrite.Result, mine func(path string) bool) {
	p.set.Diags = slices.DeleteFunc(p.set.Diags, func(d change.Diagnostic) bool {
		if p.goDiags[d] && mine(d.Path) {
			delete(p.goDiags, d)
			return true
		}
		return false
	})
	var ds []change.Diagnostic
	for _, d := range res.Diags {
		if mine(d.Path) {
			ds = append(ds, d)
		}
	}
	p.noteGoDiags(ds)
	p.set.Report(ds...)
}

// addConfigs adds the build configurations a rerun of the Go stage
// loaded to the ones verification checks.
func (p *pipeline) addConfigs(cs []rewrite.Config) {
	for _, c := range cs {
		i := slices.IndexFunc(p.configs, func(o rewrite.Config) bool { return slices.Equal(o.Tags, c.Tags) })
		if i < 0 {
			p.configs = append(p.configs, c)
			continue
		}
		for _, d := range c.Dirs {
			if !slices.Contains(p.configs[i].Dirs, d) {
				p.configs[i].Dirs = append(p.configs[i].Dirs, d)
			}
		}
	}
}

// recomputeMod brings go.mod and go.sum in line with the changes that
// remain: a withdrawn change may have been the only one that needed a
// version, or tidying may have dropped a module withdrawn code imports.
func (p *pipeline) recomputeMod(ctx context.Context, point verifyPoint, requiresBefore string) error {
	p.requires = p.fileRequires()
	changed := fmt.Sprint(p.requires, p.pinned) != requiresBefore
	if point == afterGen {
		// go.mod is not in the set yet: the Go stage stages it.
		return nil
	}
	if !changed && !p.wantTidy {
		return nil
	}
	p.set.Remove(p.gomodPath())
	p.set.Remove(p.gosumPath())
	// The mod stage's findings were about the go.mod it computed; it
	// reports them again for the new one.
	diags := p.set.Diags[:0]
	for _, d := range p.set.Diags {
		if d.Path == p.gomodPath() && strings.HasPrefix(d.Rule, "mod.") && d.Rule != RaiseRule {
			continue
		}
		diags = append(diags, d)
	}
	p.set.Diags = diags
	if p.wantTidy {
		return p.modStage(ctx)
	}
	if len(p.requires) == 0 {
		return nil
	}
	return p.gomod(ctx, false)
}
