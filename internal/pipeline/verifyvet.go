package pipeline

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/verify"
	"github.com/protolift/protolift/stage/rewrite"
)

// The gate's second question. Once the result builds, go vet must not
// report anything it did not report about the module before: a new
// finding is protolift's, like a new compile error. The commonest is
// copylocks: regenerated (APIv2) messages hold a
// protoimpl.MessageState, so hand-written code that copies message
// values (`*m = *other`, a message passed or compared by value) is
// flagged, and rightly: copying an APIv2 message is a real hazard, not a
// style point. Each new finding is attributed like a compile error and
// the change that causes it withdrawn; a finding no withdrawal of
// protolift's would remove (a dependency's message type that became an
// APIv2 one because golang/protobuf >= v1.4 aliases it) is reported at
// its line instead, so that it is never silent.

// vetAnalyzers are the analyzers the gate runs: go vet's default set
// (the corpus's done-when is "no new go vet diagnostic", so every
// default analyzer counts). The runs reuse the build cache the type
// checks filled, under the same overlay and go.mod.
var vetAnalyzers = verify.DefaultAnalyzers

// newVetProblems runs go vet on the module as the set leaves it and
// returns the findings its baseline does not have.
func (p *pipeline) newVetProblems(ctx context.Context) ([]verify.Problem, error) {
	return p.eachConfig(ctx, func(cfg verify.Config) ([]verify.Problem, error) {
		key := strings.Join(cfg.Tags, ",") + "\x00" + strings.Join(cfg.Dirs, "\x00")
		base, ok := p.vetBase[key]
		if !ok {
			var err error
			// The baseline: the module as it is on disk.
			if base, err = verify.Vet(ctx, verify.Config{ModuleDir: cfg.ModuleDir, Dirs: cfg.Dirs, Tags: cfg.Tags}, vetAnalyzers); err != nil {
				return nil, err
			}
			p.vetBase[key] = base
		}
		got, err := verify.Vet(ctx, cfg, vetAnalyzers)
		if err != nil {
			return nil, err
		}
		var result []verify.Problem
		for _, pr := range got.Problems {
			// A package vet could not analyze before has no baseline
			// to compare with (it did not build: its errors are the
			// user's).
			if !base.Failed[pr.Pkg] {
				result = append(result, pr)
			}
		}
		known := append(append([]verify.Problem(nil), base.Problems...), p.vetAnnounced...)
		return verify.New(known, result), nil
	})
}

// attributeVet finds the change that causes a new vet finding: the rules
// whose rewrite covers its line (unless the finding copies a regenerated
// type in code the rewrite left as it was: copyUnchanged); for a copied
// lock, the regeneration of
// the package that declares the message type the lock comes with (the
// copy itself is hand-written code: keep the old generated code, which
// may be copied); a finding in regenerated code, that regeneration;
// otherwise the file's migration, then the regeneration of its own
// package or of a module package it imports.
func (p *pipeline) attributeVet(pr verify.Problem) (culprit, bool) {
	f := p.set.Lookup(pr.File)
	// A copy the rewrite left as it was, of a type whose lock comes with
	// a regeneration of this run, is that regeneration's doing even on a
	// line a rule rewrote elsewhere. (A dependency's type is different: a
	// rule that moved an import may have changed the copied type without
	// changing the line's text.)
	regenLock := pr.Analyzer == "copylocks" && p.lockRegenerated(pr.Msg) != ""
	if f != nil && f.Stage == "go" && !(regenLock && copyUnchanged(f.Old, f.New, pr.Line, pr.Col)) {
		if rs := p.rulesAt(f, pr.Line); len(rs) > 0 {
			return culprit{kind: "rules", file: f.Path, rules: rs, why: pr}, true
		}
	}
	if f != nil && f.Stage == "gen" {
		return culprit{kind: "gen", dir: filepath.Dir(f.Path), why: pr}, true
	}
	if pr.Analyzer == "copylocks" {
		// The types that carry the lock, outermost first: the first one
		// declared in a package this run regenerated is where the lock
		// came from. One declared outside the module (pluginpb's
		// CodeGeneratorRequest) is the file's migration's doing only while
		// golang/protobuf stays below v1.4: from v1.4 on, the old plugin
		// package aliases the same type, so withdrawing the rewrite of the
		// import would change nothing but the name (the raise itself is
		// announced at go.mod), and the finding is reported at its line.
		if dir := p.lockRegenerated(pr.Msg); dir != "" {
			return culprit{kind: "gen", dir: dir, why: pr}, true
		}
		// A dependency's type: while golang/protobuf stays below v1.4
		// (or goes away), the old package's type is a v1 struct without a
		// lock, and the file's migration is what moved the value to the
		// APIv2 type.
		if f != nil && f.Stage == "go" && !p.v1AliasesV2() {
			return culprit{kind: "file", file: f.Path, why: pr}, true
		}
		return culprit{}, false
	}
	if f != nil && f.Stage == "go" {
		return culprit{kind: "file", file: f.Path, why: pr}, true
	}
	// Code the run left as it was, flagged for a type a regeneration
	// of this run changed (printf: "%q has arg got of wrong type
	// example.com/m/pb.Msg", where the regenerated Msg holds a
	// protoimpl.MessageState): that regeneration. The copy of the same
	// value usually draws a copylocks finding in the same round, which
	// withdraws the regeneration too; attributed alike, neither is
	// announced as the dependencies' doing once the cause is gone.
	for _, ip := range namedTypePaths(pr.Msg) {
		if dir := p.moduleDirOf(ip); dir != "" && p.regenerated(dir) {
			return culprit{kind: "gen", dir: dir, why: pr}, true
		}
	}
	for _, dir := range append([]string{pr.Dir}, pr.Imports...) {
		if p.regenerated(dir) {
			return culprit{kind: "gen", dir: dir, why: pr}, true
		}
	}
	return culprit{}, false
}

// lockRegenerated returns the directory of the first type of a
// copylocks message's chain that a package this run regenerated
// declares, or "".
func (p *pipeline) lockRegenerated(msg string) string {
	for _, ip := range lockChain(msg) {
		if dir := p.moduleDirOf(ip); dir != "" && p.regenerated(dir) {
			return dir
		}
	}
	return ""
}

// copyUnchanged reports whether the value a copylocks finding at
// line:col of new copies is code the rewrite left as it was: the
// outermost expression starting there, and everything before it on the
// line, read the same at the same place of the one old line it comes
// from. Then a rule that rewrote something else on that line (`if want
// := msg; !reflect.DeepEqual(got, want)`, the DeepEqual) did not make
// the copy (`want := msg`): when the lock comes with a regenerated type,
// the finding is attributed as on an untouched line.
func copyUnchanged(old, new []byte, line, col int) bool {
	if old == nil || line < 1 || col < 1 {
		return false
	}
	lo, hi := oldLines(old, new, line)
	if lo != hi {
		return false
	}
	newLine, oldLine := bytesLine(new, line), bytesLine(old, lo)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "new.go", new, parser.SkipObjectResolution)
	if err != nil {
		return false
	}
	var copied ast.Expr
	ast.Inspect(f, func(n ast.Node) bool {
		if copied != nil || n == nil {
			return false
		}
		if e, ok := n.(ast.Expr); ok {
			if pos := fset.Position(e.Pos()); pos.Line == line && pos.Column == col {
				copied = e
				return false
			}
		}
		return true
	})
	if copied == nil {
		return false
	}
	end := fset.Position(copied.End())
	if end.Line != line {
		return false
	}
	upto := end.Column - 1 // byte offset in the line just past the expression
	return upto <= len(newLine) && upto <= len(oldLine) && newLine[:upto] == oldLine[:upto]
}

// announceVet reports a new vet finding no change of protolift's causes
// alone, at its own line, and accepts it for the rounds that follow.
func (p *pipeline) announceVet(pr verify.Problem) {
	p.vetAnnounced = append(p.vetAnnounced, pr)
	pos := change.Position{Line: pr.Line, Col: pr.Col}
	p.set.Report(change.Diagnostic{Path: pr.File, Start: pos, End: pos, Rule: rewrite.VerifyRule, Risk: change.Manual,
		Message: fmt.Sprintf("after the migration go vet reports: %s; the migrated module's dependencies cause it, no single change of protolift's: %s", pr.Msg, vetAdvice(pr.Analyzer))})
}

// vetAdvice says what to do about a finding of analyzer.
func vetAdvice(analyzer string) string {
	if analyzer == "copylocks" {
		return "go vet's copylocks check reports it because an APIv2 message holds internal state (protoimpl.MessageState) and must not be copied: take pointers (*T), or copy with proto.Clone / proto.Merge and compare with proto.Equal, then rerun protolift"
	}
	return fmt.Sprintf("go vet's %s check reports it after the migration: adapt the code, then rerun protolift", analyzer)
}

// qualifiedType matches a type as go vet prints it: "import/path.Name",
// possibly with type arguments.
var qualifiedType = regexp.MustCompile(`^\*?([^\s\[\]{}()*]+)\.([A-Za-z_][A-Za-z0-9_]*)(?:\[.*\])?$`)

// lockChain returns the import paths of the types of a copylocks message
// ("assignment copies lock value to *m: a/b.Param contains
// google.golang.org/protobuf/runtime/protoimpl.MessageState contains
// sync.Mutex"), outermost first.
func lockChain(msg string) []string {
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return nil
	}
	var out []string
	for _, t := range strings.Split(msg[i+2:], " contains ") {
		if m := qualifiedType.FindStringSubmatch(strings.TrimSpace(t)); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// typeNameRe matches a package-qualified type name in a vet message
// (example.com/m/pb.Msg, *example.com/m/pb.Msg, []pb.Msg's element).
var typeNameRe = regexp.MustCompile(`((?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*?)\.([A-Za-z_][A-Za-z0-9_]*)\b`)

// namedTypePaths returns the import paths of the package-qualified names
// a vet message mentions, in order. (Names that are not types, such as
// fmt.Sprintf, come along; the caller only asks about the module's own
// regenerated packages.)
func namedTypePaths(msg string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range typeNameRe.FindAllStringSubmatch(msg, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// moduleDirOf returns the directory of a package of the module, or "".
func (p *pipeline) moduleDirOf(importPath string) string {
	if importPath == p.module.Path {
		return p.module.Dir
	}
	if rest, ok := strings.CutPrefix(importPath, p.module.Path+"/"); ok {
		return filepath.Join(p.module.Dir, filepath.FromSlash(rest))
	}
	return ""
}

// regenerated reports whether the set regenerates code in dir.
func (p *pipeline) regenerated(dir string) bool {
	for _, f := range p.set.Files {
		if f.Stage == "gen" && filepath.Dir(f.Path) == dir {
			return true
		}
	}
	return false
}

// v1AliasesV2 reports whether the module as the set leaves it requires
// golang/protobuf v1.4.0 or later, whose plugin, descriptor and
// well-known-type packages alias the APIv2 types.
func (p *pipeline) v1AliasesV2() bool {
	data := p.stagedMod
	if f := p.set.Lookup(p.gomodPath()); f != nil {
		data = f.New
	} else if data == nil {
		data, _ = os.ReadFile(p.gomodPath())
	}
	mf, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return false
	}
	for _, r := range mf.Require {
		if r.Mod.Path == "github.com/golang/protobuf" {
			return semver.Compare(r.Mod.Version, "v1.4.0") >= 0
		}
	}
	return false
}
