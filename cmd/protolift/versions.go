package main

import (
	"context"
	"fmt"
	goversion "go/version"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/toolbin"
	"github.com/protolift/protolift/rewrite/gomod"
)

// WithdrawnRule reports a file whose changes were withdrawn because they
// need a module version the allowed go directive cannot have.
const WithdrawnRule = "protolift.withdrawn"

// checkGoFlag validates -go.
func checkGoFlag(v string) error {
	if v != "" && !goversion.IsValid("go"+v) {
		return usageError{fmt.Sprintf("-go=%s: want a Go version such as 1.23", v)}
	}
	return nil
}

// goLimit is the go directive the run may raise the module to: -go, or
// with -latest the go command's own version; "" keeps the module's.
func (p *pipeline) goLimit(ctx context.Context) string {
	if p.f.goLimit != "" || !p.f.latest {
		return p.f.goLimit
	}
	return toolchainGo()
}

// toolchainGo is the version of the go command on $PATH ("1.26.8"), or
// "" when it cannot be told.
var toolchainGo = sync.OnceValue(func() string {
	cmd := exec.Command("go", "env", "GOVERSION")
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "go")
	if i := strings.IndexAny(v, " -"); i >= 0 {
		v = v[:i]
	}
	if !goversion.IsValid("go" + v) {
		return ""
	}
	return v
})

// generators picks the protoc-gen-go and protoc-gen-go-grpc releases the
// gen stage runs: the newest whose go directives fit the allowed one (up
// to the pinned versions). Without access to the module proxy it keeps
// the pinned ones and says so.
func (p *pipeline) generators(ctx context.Context) gomod.Generators {
	pinned := gomod.Generators{Go: toolbin.GoVersion, GRPC: toolbin.GoGRPCVersion}
	limit, err := gomod.Limit(p.module.Dir, p.goLimit(ctx))
	if err != nil {
		return pinned
	}
	g, err := gomod.PlanGenerators(ctx, limit, toolbin.GoVersion, toolbin.GoGRPCVersion)
	if err != nil {
		p.set.Report(change.Diagnostic{Path: filepath.Join(p.module.Dir, "go.mod"), Start: change.Position{Line: 1, Col: 1}, End: change.Position{Line: 1, Col: 1},
			Rule: gomod.GoDirectiveRule, Risk: change.Review,
			Message: fmt.Sprintf("could not pick generator versions for go %s (%v); regenerating with protoc-gen-go %s and protoc-gen-go-grpc %s", limit, err, pinned.Go, pinned.GRPC)})
		return pinned
	}
	return g
}

// withdrawUnmet asks the mod stage which requirements no release fitting
// the allowed go directive meets, withdraws the files whose changes need
// them (reporting each with the go version that would allow it), and
// lowers the collected requirements to what the remaining files need.
func (p *pipeline) withdrawUnmet(ctx context.Context) error {
	if len(p.requires) == 0 {
		return nil
	}
	unmet, err := gomod.CheckRequires(ctx, gomod.Options{ModuleDir: p.module.Dir, Requires: p.requires, GoLimit: p.goLimit(ctx)})
	if err != nil || len(unmet) == 0 {
		return err
	}
	dropped := map[string]bool{}
	for _, u := range unmet {
		kept := p.set.Files[:0]
		for _, f := range p.set.Files {
			need, ok := f.Requires[u.Path]
			if !ok || (u.Max != "" && semver.Compare(need, u.Max) <= 0) {
				kept = append(kept, f)
				continue
			}
			p.set.Report(withdrawnDiag(f, u, need))
			for path := range f.Requires {
				dropped[path] = true
			}
		}
		p.set.Files = kept
		dropped[u.Path] = true
	}
	// Requirements of withdrawn files go with them: what remains is the
	// highest any kept file needs.
	for path := range dropped {
		high := ""
		for _, f := range p.set.Files {
			if v, ok := f.Requires[path]; ok && (high == "" || semver.Compare(v, high) > 0) {
				high = v
			}
		}
		switch {
		case high == "":
			delete(p.requires, path)
		case semver.Compare(high, p.requires[path]) < 0:
			p.requires[path] = high
		}
	}
	return nil
}

func withdrawnDiag(f *change.File, u gomod.Unmet, need string) change.Diagnostic {
	rules := map[string]bool{}
	var names []string
	for _, e := range f.Edits {
		if !rules[e.Rule] {
			rules[e.Rule] = true
			names = append(names, e.Rule)
		}
	}
	sort.Strings(names)
	pos := change.Position{Line: 1, Col: 1}
	if len(f.Edits) > 0 && f.Edits[0].Start.Line > 0 {
		pos = f.Edits[0].Start
	}
	return change.Diagnostic{Path: f.Path, Start: pos, End: pos, Rule: WithdrawnRule, Risk: change.Review,
		Message: fmt.Sprintf("not rewritten: the changes of %s need %s %s, whose go.mod says go %s, more than the go %s allowed (the go directive is never raised unless asked)",
			strings.Join(names, ", "), u.Path, need, u.Go, u.Limit),
		Suggestion: fmt.Sprintf("run protolift with -go=%s to allow the go directive to move there", u.Go)}
}
