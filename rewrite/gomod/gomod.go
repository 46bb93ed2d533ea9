// Package gomod is protolift's `mod` stage: it makes go.mod and go.sum
// match the rewritten code. Requirements are raised to the lowest version
// that has every API the rewrites introduced (or, on request, the newest
// version the module's go directive allows), go.sum is completed, and
// known-vulnerable protobuf/gRPC versions are reported with their advisory
// ids. The go command does the module work, on temporary copies of go.mod
// and go.sum with the rewritten sources as an overlay, so nothing on disk
// changes until the writer applies the result.
package gomod

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
)

// Rule names of the stage's changes and findings.
const (
	RequireRule  = "mod.require"
	TidyRule     = "mod.tidy"
	AdvisoryRule = "mod.advisory"
	// GoDirectiveRule reports that the go directive had to move up.
	GoDirectiveRule = "mod.go"
)

// Options configure the stage.
type Options struct {
	// ModuleDir holds go.mod.
	ModuleDir string
	// Requires maps module paths to the minimum versions the rewritten
	// code needs.
	Requires map[string]string
	// Overlay holds the rewritten files (absolute path → content).
	Overlay map[string][]byte
	// Latest raises the required modules to the newest release whose go
	// directive the module's own go directive allows, instead of the
	// lowest that works.
	Latest bool
	// Tidy runs `go mod tidy` over the rewritten code, which also drops
	// requirements nothing imports any more (github.com/golang/protobuf
	// once the last use is gone).
	Tidy bool
}

// Run computes the new go.mod and go.sum.
func Run(ctx context.Context, opts Options) (*change.Set, error) {
	gomodPath := filepath.Join(opts.ModuleDir, "go.mod")
	gosumPath := filepath.Join(opts.ModuleDir, "go.sum")
	oldMod, err := os.ReadFile(gomodPath)
	if err != nil {
		return nil, err
	}
	oldSum, err := os.ReadFile(gosumPath)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	mf, err := modfile.Parse(gomodPath, oldMod, nil)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "protolift-mod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	tmpMod, tmpSum := filepath.Join(tmp, "go.mod"), filepath.Join(tmp, "go.sum")
	if err := os.WriteFile(tmpMod, oldMod, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tmpSum, oldSum, 0o644); err != nil {
		return nil, err
	}
	overlay, err := writeOverlay(tmp, opts.Overlay)
	if err != nil {
		return nil, err
	}
	set := &change.Set{}
	goVersion := ""
	if mf.Go != nil {
		goVersion = mf.Go.Version
	}

	var gets []string
	var why []string
	paths := sortedKeys(opts.Requires)
	for _, path := range paths {
		want := opts.Requires[path]
		if opts.Latest {
			if v, err := latestFor(ctx, opts.ModuleDir, path, goVersion); err == nil && semver.Compare(v, want) > 0 {
				want = v
			}
		}
		cur := current(mf, path)
		if cur != "" && semver.Compare(cur, want) >= 0 {
			continue
		}
		gets = append(gets, path+"@"+want)
		if cur == "" {
			why = append(why, fmt.Sprintf("require %s %s (rewritten code uses its APIs)", path, want))
		} else {
			why = append(why, fmt.Sprintf("%s %s → %s (rewritten code uses APIs added in %s)", path, cur, want, want))
		}
	}
	// golang/protobuf before v1.5.4 refers to descriptorpb identifiers
	// that newer google.golang.org/protobuf releases removed, so a module
	// that still imports it (old generated code, say) stops building when
	// protobuf moves up; v1.5.4 builds against every current release.
	if cur := current(mf, golangProtobuf); cur != "" && semver.Compare(cur, golangProtobufFloor) < 0 && slices.ContainsFunc(gets, func(g string) bool {
		return strings.HasPrefix(g, "google.golang.org/protobuf@")
	}) {
		gets = append(gets, golangProtobuf+"@"+golangProtobufFloor)
		why = append(why, fmt.Sprintf("%s %s → %s (older releases do not build against the protobuf version required above)", golangProtobuf, cur, golangProtobufFloor))
	}
	if len(gets) > 0 {
		args := append([]string{"get", "-modfile=" + tmpMod}, gets...)
		if err := gocmd(ctx, opts.ModuleDir, args...); err != nil {
			return nil, err
		}
		// go get records checksums for the modules it changed, not for
		// every module the build now consults: in a module without graph
		// pruning (go < 1.17) an import can become ambiguous between two
		// modules of the new build list, and go build then wants a zip
		// checksum nobody recorded. Loading every package with -mod=mod
		// records what the build needs without tidy's removals.
		if !opts.Tidy {
			args := []string{"list", "-mod=mod", "-modfile=" + tmpMod, "-e", "-deps", "-test"}
			if overlay != "" {
				args = append(args, "-overlay="+overlay)
			}
			if err := gocmd(ctx, opts.ModuleDir, append(args, "./...")...); err != nil {
				return nil, err
			}
		}
	}
	if opts.Tidy {
		args := []string{"mod", "tidy", "-modfile=" + tmpMod}
		if overlay != "" {
			args = append(args, "-overlay="+overlay)
		}
		if err := gocmd(ctx, opts.ModuleDir, args...); err != nil {
			return nil, err
		}
	}
	newMod, err := os.ReadFile(tmpMod)
	if err != nil {
		return nil, err
	}
	newSum, _ := os.ReadFile(tmpSum)
	if !bytes.Equal(newMod, oldMod) {
		msg := "go mod tidy over the rewritten code"
		rule := TidyRule
		if len(why) > 0 {
			msg, rule = strings.Join(why, "; "), RequireRule
		}
		set.Put(&change.File{Path: gomodPath, Old: oldMod, New: newMod, Edits: []change.Edit{{Rule: rule, Risk: change.Safe, Message: msg}}})
	}
	if !bytes.Equal(newSum, oldSum) {
		set.Put(&change.File{Path: gosumPath, Old: oldSum, New: newSum, Created: oldSum == nil,
			Edits: []change.Edit{{Rule: TidyRule, Risk: change.Safe, Message: "checksums for the required module versions"}}})
	}
	nf, err := modfile.Parse(gomodPath, newMod, nil)
	if err != nil {
		return nil, err
	}
	if mf.Go != nil && nf.Go != nil && semver.Compare("v"+nf.Go.Version, "v"+mf.Go.Version) > 0 {
		pos := change.Position{Line: mf.Go.Syntax.Start.Line, Col: mf.Go.Syntax.Start.LineRune, Offset: mf.Go.Syntax.Start.Byte}
		set.Report(change.Diagnostic{Path: gomodPath, Start: pos, End: pos, Rule: GoDirectiveRule, Risk: change.Review,
			Message: fmt.Sprintf("go directive raised from %s to %s: a required module version needs it (%s); builds now need Go %s or later", mf.Go.Version, nf.Go.Version, strings.Join(why, "; "), nf.Go.Version)})
	}
	if opts.Tidy {
		importers, err := legacyImporters(opts.ModuleDir, opts.Overlay)
		if err != nil {
			return nil, err
		}
		if d, ok := keptFinding(gomodPath, nf, importers); ok {
			set.Report(d)
		}
	}
	// Advisories concern the versions the module ends up with, but point
	// at go.mod as it is on disk now (the line of the requirement, or
	// the module line for a requirement this run adds).
	for _, d := range Advisories(gomodPath, newMod, nf) {
		d.Start = change.Position{Line: 1, Col: 1}
		for _, r := range mf.Require {
			if strings.HasPrefix(d.Message, r.Mod.Path+" ") {
				d.Start = change.Position{Line: r.Syntax.Start.Line, Col: r.Syntax.Start.LineRune, Offset: r.Syntax.Start.Byte}
			}
		}
		d.End = d.Start
		set.Report(d)
	}
	return set, nil
}

const (
	golangProtobuf      = "github.com/golang/protobuf"
	golangProtobufFloor = "v1.5.4"
)

func current(mf *modfile.File, path string) string {
	for _, r := range mf.Require {
		if r.Mod.Path == path {
			return r.Mod.Version
		}
	}
	return ""
}

// writeOverlay writes the overlay files into dir and returns the path of
// the go command's -overlay JSON, or "" if there is nothing to overlay.
func writeOverlay(dir string, files map[string][]byte) (string, error) {
	if len(files) == 0 {
		return "", nil
	}
	repl := map[string]string{}
	i := 0
	for path, data := range files {
		if !strings.HasSuffix(path, ".go") {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("f%d.go", i))
		i++
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
		repl[path] = p
	}
	data, err := json.Marshal(map[string]any{"Replace": repl})
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "overlay.json")
	return p, os.WriteFile(p, data, 0o644)
}

func gocmd(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// latestFor returns the newest release of path whose go directive is at
// most goVersion (any release when goVersion is empty).
func latestFor(ctx context.Context, dir, path, goVersion string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-versions", "-json", path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	var info struct{ Versions []string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	for i := len(info.Versions) - 1; i >= 0; i-- {
		v := info.Versions[i]
		if semver.Prerelease(v) != "" || retracted[path+"@"+v] {
			continue
		}
		if goVersion == "" {
			return v, nil
		}
		need, err := goDirectiveOf(ctx, dir, path, v)
		if err != nil {
			return "", err
		}
		if need == "" || semver.Compare("v"+need, "v"+goVersion) <= 0 {
			return v, nil
		}
	}
	return "", fmt.Errorf("no release of %s fits go %s", path, goVersion)
}

var retracted = map[string]bool{
	"google.golang.org/grpc@v1.74.0": true,
	"google.golang.org/grpc@v1.74.1": true,
}

func goDirectiveOf(ctx context.Context, dir, path, version string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", path+"@"+version)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	var info struct{ GoMod string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	data, err := os.ReadFile(info.GoMod)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(info.GoMod, data, nil)
	if err != nil || f.Go == nil {
		return "", err
	}
	return f.Go.Version, nil
}
