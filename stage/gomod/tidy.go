package gomod

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
)

// note is something tidy needed that the report should say.
type note struct {
	path       string // the module the note is about (for its go.mod line)
	risk       change.Risk
	msg        string
	suggestion string
	raised     string // the version a dependency was raised to, if any
}

// testedBy matches the go command's import-stack line for a package
// whose tests import something missing ("example.com/dep tested by").
var testedBy = regexp.MustCompile(`(?m)^\s*(\S+) tested by$`)

// missingPkg matches the package the go command could not find.
var missingPkg = regexp.MustCompile(`(?m)^\s*(\S+): (?:module .* but does not contain package|cannot find module providing package|no matching versions|.*does not contain package)`)

// maxRaiseTries bounds the releases tried per dependency: each try is a
// go get and a go mod tidy.
const maxRaiseTries = 6

// tidy runs go mod tidy on tmpMod. When it fails because a dependency's
// tests import a package the new requirements removed (old grpc-go's
// google.golang.org/grpc/naming or test/grpc_testing, say), which only
// matters in modules at go 1.16 or lower where "all" includes the tests
// of dependencies, it raises that dependency to its lowest release that
// fits the go directive and tidies; failing that it tidies with -e (go.mod
// and go.sum stay consistent for building the module's packages) and
// reports what was left. ok is false when go.mod was not tidied at all.
func tidy(ctx context.Context, dir, tmpMod, overlay string, mf *modfile.File, limit string) (notes []note, ok bool, err error) {
	args := []string{"mod", "tidy", "-modfile=" + tmpMod}
	if overlay != "" {
		args = append(args, "-overlay="+overlay)
	}
	first := gocmd(ctx, dir, args...)
	if first == nil {
		return nil, true, nil
	}
	dep, missing := testOnlyFailure(first.Error(), mf)
	tried := ""
	if dep != "" {
		var v string
		if v, tried = raiseDependency(ctx, dir, tmpMod, args, dep, current(mf, dep), limit); v != "" {
			return []note{{path: dep, risk: change.Review, raised: v,
				msg: fmt.Sprintf("%s %s → %s: the tests of its packages import %s, which the new requirements no longer provide; %s is its lowest release that fits the go directive without that import", dep, current(mf, dep), v, missing, v)}}, true, nil
		}
	}
	if err := gocmd(ctx, dir, append(args[:2:2], append([]string{"-e"}, args[2:]...)...)...); err != nil {
		// Even tidy -e failed: leave tidying out; the caller completes
		// go.sum for the module's own packages.
		return append(notes, note{path: dep, risk: change.Manual, msg: "go mod tidy failed, so go.mod was updated without it: " + firstLines(first.Error(), 6),
			suggestion: "run go mod tidy after applying the changes and resolve what it reports"}), false, nil
	}
	n := note{path: dep, risk: change.Manual,
		msg:        "go mod tidy reported an error and ran with -e: " + firstLines(first.Error(), 6),
		suggestion: "resolve what go mod tidy reports after applying the changes"}
	if dep != "" {
		n.risk = change.Review
		n.msg = fmt.Sprintf("go mod tidy ran with -e: the tests of %s import %s, which the new requirements no longer provide, and no release of %s that fits the go directive resolves it; go.mod and go.sum still serve this module's packages and tests", dep, missing, dep)
		if tried != "" {
			n.msg += " (" + tried + ")"
		}
		n.suggestion = fmt.Sprintf("update %s when a release without that import exists, or ignore it: only the dependency's own tests need %s", dep, missing)
	}
	return append(notes, n), true, nil
}

// testOnlyFailure finds, in a go mod tidy error, the required module whose
// package's tests import a missing package, and that package.
func testOnlyFailure(msg string, mf *modfile.File) (dep, missing string) {
	m := testedBy.FindStringSubmatch(msg)
	if m == nil {
		return "", ""
	}
	pkg := m[1]
	if mm := missingPkg.FindStringSubmatch(msg); mm != nil {
		missing = mm[1]
	}
	for _, r := range mf.Require {
		p := r.Mod.Path
		if (pkg == p || strings.HasPrefix(pkg, p+"/")) && len(p) > len(dep) {
			dep = p
		}
	}
	return dep, missing
}

// raiseDependency tries dep's releases above cur that fit limit, lowest
// first, until go mod tidy succeeds; it returns the release that worked,
// or "" and a sentence on what was tried.
func raiseDependency(ctx context.Context, dir, tmpMod string, tidyArgs []string, dep, cur, limit string) (string, string) {
	all, err := releases.Versions(ctx, dep)
	if err != nil || len(all) == 0 {
		return "", ""
	}
	var cands []string
	for _, v := range all {
		if cur == "" || semver.Compare(v, cur) > 0 {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return "", fmt.Sprintf("%s %s is its newest release", dep, cur)
	}
	dirs, err := releases.GoDirectives(ctx, dep, cands)
	if err != nil {
		return "", ""
	}
	tries := 0
	for _, v := range cands {
		if !goFits(dirs[v], limit) {
			continue
		}
		if tries++; tries > maxRaiseTries {
			return "", fmt.Sprintf("tried %d releases of %s above %s; none resolved it", maxRaiseTries, dep, cur)
		}
		if gocmd(ctx, dir, "get", "-modfile="+tmpMod, dep+"@"+v) != nil {
			continue
		}
		if gocmd(ctx, dir, tidyArgs...) == nil {
			return v, ""
		}
	}
	// Leave go.mod as go get left it before the caller's fallback.
	if cur != "" {
		_ = gocmd(ctx, dir, "get", "-modfile="+tmpMod, dep+"@"+cur)
	}
	return "", fmt.Sprintf("no release of %s above %s that fits go %s resolves it", dep, cur, limit)
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n:n], "…")
	}
	return strings.Join(lines, " ")
}
