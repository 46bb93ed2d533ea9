package pipeline

import (
	"context"
	"fmt"
	goversion "go/version"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/toolbin"
	"github.com/protolift/protolift/stage/gomod"
)

// WithdrawnRule reports a file whose changes were withdrawn because they
// need a module version the allowed go directive cannot have.
const WithdrawnRule = "protolift.withdrawn"

// RaiseRule reports a version raise the allowed go directive forbids
// (written by verification, verify.go).
const RaiseRule = "mod.raise"

// goLimit is the go directive the run may raise the module to: -go, or
// with -latest the go command's own version; "" keeps the module's.
func (p *pipeline) goLimit(ctx context.Context) string {
	if p.opts.GoLimit != "" || !p.opts.Latest {
		return p.opts.GoLimit
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
// the allowed go directive meets, and withdraws what needs them: the
// rules of a Go file that asked for such a version (the file's other
// rewrites are kept: its package runs through the Go stage again without
// them), or the whole file when its requirement comes from the file
// itself. Each is reported with the go version that would allow it.
func (p *pipeline) withdrawUnmet(ctx context.Context) error {
	for round := 0; round < 3 && len(p.requires) > 0; round++ {
		unmet, err := gomod.CheckRequires(ctx, gomod.Options{ModuleDir: p.module.Dir, Requires: p.requires, GoLimit: p.goLimit(ctx)})
		if err != nil || len(unmet) == 0 {
			return err
		}
		var rerun []string
		for _, u := range unmet {
			tooNew := func(v string) bool { return v != "" && (u.Max == "" || semver.Compare(v, u.Max) > 0) }
			for _, f := range slices.Clone(p.set.Files) {
				if !tooNew(f.Requires[u.Path]) {
					continue
				}
				var rules []string
				for r, req := range f.RuleRequires {
					if tooNew(req[u.Path]) {
						rules = append(rules, r)
					}
				}
				sort.Strings(rules)
				if f.Stage == "go" && len(rules) > 0 {
					for _, r := range rules {
						p.disable(f.Path, r)
						pos := editOf(f, r)
						p.set.Report(withdrawnDiag(f.Path, pos, r, u, f.RuleRequires[r][u.Path]))
					}
					if !slices.Contains(rerun, f.Path) {
						rerun = append(rerun, f.Path)
					}
					continue
				}
				if f.Stage == "go" {
					p.disable(f.Path, "*")
				}
				p.set.Remove(f.Path)
				p.set.Report(withdrawnDiag(f.Path, change.Position{Line: 1, Col: 1}, "", u, f.Requires[u.Path]))
			}
		}
		// Requirements of withdrawn changes go with them, before the Go
		// stage runs again: it type-checks against a go.mod staged from
		// them.
		for _, path := range rerun {
			if f := p.set.Lookup(path); f != nil {
				f.Requires = p.remainingRequires(f)
			}
		}
		p.requires = p.fileRequires()
		if len(rerun) > 0 {
			if err := p.rerunGo(ctx, rerun); err != nil {
				return err
			}
		}
		p.requires = p.fileRequires()
	}
	return nil
}

// remainingRequires is what f needs from the rules of its that are not
// disabled, keeping requirements no rule accounts for (the file's
// protobuf API floor) unless a disabled rule asked for more.
func (p *pipeline) remainingRequires(f *change.File) map[string]string {
	out := map[string]string{}
	disabledNeed := map[string]string{}
	for r, req := range f.RuleRequires {
		target := out
		if p.goDisabled[f.Path][r] {
			target = disabledNeed
		}
		change.AddRequires(target, req)
	}
	for m, v := range f.Requires {
		if _, ok := out[m]; ok {
			continue
		}
		if d, ok := disabledNeed[m]; !ok || semver.Compare(v, d) < 0 {
			out[m] = v
		}
	}
	return out
}

func withdrawnDiag(path string, pos change.Position, rule string, u gomod.Unmet, need string) change.Diagnostic {
	what := "the file's changes need"
	if rule != "" {
		what = "the rewrite needs"
	} else {
		rule = WithdrawnRule
	}
	return change.Diagnostic{Path: path, Start: pos, End: pos, Rule: rule, Risk: change.Review,
		Message: fmt.Sprintf("not rewritten: %s %s %s, whose go.mod says go %s, more than the go %s allowed (the go directive is never raised unless asked)",
			what, u.Path, need, u.Go, u.Limit),
		Suggestion: fmt.Sprintf("run protolift with -go=%s to allow the go directive to move there", u.Go)}
}
