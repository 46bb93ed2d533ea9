package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/protoreg"
	"github.com/protolift/protolift/internal/verify"
	"github.com/protolift/protolift/stage/protofile"
)

// Registration conflicts: a runtime check the type-check cannot make.
//
// Two generated files linked into one binary that register the same proto
// full name (or .proto path) are tolerated by golang/protobuf before v1.4
// and panic at init once the build list has golang/protobuf v1.4 or later
// over google.golang.org/protobuf v1.26.0 or later (and always for
// regenerated code on v1.26.0+). A version raise or a regeneration can
// therefore leave a module that builds and vets but whose test binaries
// and commands no longer start (go-grpc-middleware: its tags tests link
// an old testproto and a gogo test proto that both define
// mwitkow.testproto.PingRequest).
//
// After the final type-check comes out clean, every test binary and main
// package of the module is listed as the set would leave it and as it is
// on disk (go list -deps -test), with the generated files each links,
// the module's and its dependencies' (regenerated ones as regenerated).
// A conflict that panics after and did not before is the run's doing,
// and the change is withdrawn: the raise of google.golang.org/protobuf or
// golang/protobuf (or the raise that dragged it, grpc say) when the
// versions made the difference, else the regeneration of the package
// whose regenerated file adds the conflicting key. Withdrawing, not
// reporting, is the rule because of what the tool promises: every test
// that passed before passes after a default run, and a binary that
// panics at init runs no test at all; no edit of the run can make it
// start again, and the real fix (one of the two .proto files gets its own
// package, which changes its wire names: type URLs of Any, the full
// method names of its services) is the user's decision. So the module
// keeps the versions that tolerate the duplicate, the rewrites that need
// the newer ones are withdrawn with the reason, and both generated files
// get a proto.conflict finding (risk manual, exit 1) naming the binary,
// the other file, the names, the real fix and the
// GOLANG_PROTOBUF_REGISTRATION_CONFLICT=warn workaround; after the fix
// the next run migrates the rest. A conflict the run cannot attribute is
// reported the same way without a withdrawal.

// registryCulprits returns the changes to withdraw for registration
// conflicts that panic as the set leaves the module and did not before;
// it reports each such conflict once.
func (p *pipeline) registryCulprits(ctx context.Context) ([]culprit, error) {
	if !p.changesRegistry() {
		return nil, nil
	}
	modFile, cleanup, err := p.modFileFor(ctx)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	ov := map[string][]byte{}
	for _, f := range p.set.Files {
		if f.Path == p.gomodPath() || f.Path == p.gosumPath() {
			continue
		}
		if f.Deleted {
			ov[f.Path] = nil
		} else {
			ov[f.Path] = f.New
		}
	}
	after, err := protoreg.Linked(ctx, protoreg.Config{ModuleDir: p.module.Dir, Overlay: ov, ModFile: modFile, Tags: p.tags()})
	if err != nil {
		return nil, err
	}
	var panicking []protoreg.Conflict
	for _, c := range after {
		if c.Panics {
			panicking = append(panicking, c)
		}
	}
	if len(panicking) == 0 {
		return nil, nil
	}
	if p.registryBase == nil {
		before, err := protoreg.Linked(ctx, protoreg.Config{ModuleDir: p.module.Dir, Tags: p.tags()})
		if err != nil {
			return nil, err
		}
		p.registryBase = map[string]protoreg.Conflict{}
		for _, c := range before {
			p.registryBase[c.ID()] = c
		}
	}
	if p.registryReported == nil {
		p.registryReported = map[string]bool{}
	}
	var out []culprit
	seen := map[string]bool{}
	for _, c := range panicking {
		old, had := p.registryBase[c.ID()]
		if had && old.Panics {
			continue // the module's own: it panicked before the run
		}
		why := verify.Problem{Pkg: c.Binary, File: c.A.Path, Line: 1, Col: 1, Msg: p.conflictMsg(c)}
		cu, ok := p.registryCulprit(ctx, c, had, why)
		if !p.registryReported[c.ID()] {
			p.registryReported[c.ID()] = true
			p.reportConflict(c, old, had, cu, ok)
		}
		if ok && !seen[cu.key()] {
			seen[cu.key()] = true
			out = append(out, cu)
		}
	}
	return out, nil
}

// changesRegistry reports whether the set changes what can register:
// go.mod (versions) or generated files.
func (p *pipeline) changesRegistry() bool {
	for _, f := range p.set.Files {
		if f.Path == p.gomodPath() || f.Stage == "gen" {
			return true
		}
	}
	return p.stagedMod != nil
}

// registryCulprit picks the change that turns c into a panic.
func (p *pipeline) registryCulprit(ctx context.Context, c protoreg.Conflict, had bool, why verify.Problem) (culprit, bool) {
	changed := p.changedModules()
	for _, mod := range []string{"google.golang.org/protobuf", "github.com/golang/protobuf"} {
		v, ok := changed[mod]
		if !ok {
			continue
		}
		m := mod
		if _, ours := p.fileRequires()[mod]; !ours {
			if by := p.draggedBy(ctx, mod, func(got string) bool { return got == v }); by != "" {
				m = by
			} else if p.pinned[mod] {
				m = p.lastResortRaise()
			}
		}
		if m != "" && !p.pinned[m] {
			return culprit{kind: "raise", module: m, why: why, effect: "makes a binary panic at init"}, true
		}
	}
	if !had {
		for _, f := range []*protoreg.File{c.A, c.B} {
			if g := p.set.Lookup(f.Path); g != nil && g.Stage == "gen" {
				return culprit{kind: "gen", dir: filepath.Dir(f.Path), why: why, effect: "makes a binary panic at init"}, true
			}
		}
	}
	return culprit{}, false
}

func (p *pipeline) conflictMsg(c protoreg.Conflict) string {
	return fmt.Sprintf("%s would panic at init: \"proto: file %q has a name conflict over %s\" (%s and %s both register %s)",
		c.Binary, c.B.Proto, strings.TrimPrefix(c.Keys[0], "file "), p.rel(c.A.Path), p.rel(c.B.Path), keyList(c.Keys))
}

func keyList(keys []string) string {
	if len(keys) <= 4 {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:4], ", "), len(keys)-4)
}

// reportConflict puts a proto.conflict finding on each generated file of
// c inside the module (on go.mod when neither is).
func (p *pipeline) reportConflict(c, old protoreg.Conflict, had bool, cu culprit, withdrawn bool) {
	versions := fmt.Sprintf("google.golang.org/protobuf %s, golang/protobuf %s", orNone(c.V2), orNone(c.V1))
	before := "it was not linked this way before"
	if had {
		before = fmt.Sprintf("with google.golang.org/protobuf %s, golang/protobuf %s it was tolerated", orNone(old.V2), orNone(old.V1))
	}
	outcome := "nothing the run changed could be withdrawn for it"
	switch {
	case withdrawn && cu.kind == "raise":
		outcome = fmt.Sprintf("so %s was not raised and the rewrites that need it were withdrawn", cu.module)
	case withdrawn && cu.kind == "gen":
		outcome = fmt.Sprintf("so the regeneration of %s was withdrawn", p.rel(cu.dir))
	}
	files := []string{c.A.Path, c.B.Path}
	var sites []string
	for _, f := range files {
		if inModule(p.module.Dir, f) {
			sites = append(sites, f)
		}
	}
	if len(sites) == 0 {
		sites = []string{p.gomodPath()}
	}
	for _, site := range sites {
		other := c.B.Path
		if site == c.B.Path {
			other = c.A.Path
		}
		p.set.Report(change.Diagnostic{Path: site, Start: change.Position{Line: 1, Col: 1}, End: change.Position{Line: 1, Col: 1},
			Rule: protofile.RuleConflict, Risk: change.Manual,
			Message: fmt.Sprintf("registers %s, as %s does, and %s links both: with %s it panics at init (registration conflicts panic from google.golang.org/protobuf %s on); %s, %s",
				keyList(c.Keys), p.rel(other), c.Binary, versions, protoreg.PanicSince, before, outcome),
			Suggestion: fmt.Sprintf("the real fix: give one of the .proto files its own proto package (the full name is the registry key; it changes that file's wire names: Any type URLs, full method names), regenerate, and run protolift again; until then a binary runs with %s=warn (or is built with -ldflags \"-X google.golang.org/protobuf/reflect/protoregistry.conflictPolicy=warn\")", protoreg.Env)})
	}
}

func orNone(v string) string {
	if v == "" {
		return "(not linked)"
	}
	return v
}

func inModule(dir, file string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && !strings.HasPrefix(rel, "..")
}
