// Package gomod is protolift's `mod` stage: it makes go.mod and go.sum
// match the rewritten code. The go directive stays where it is unless the
// caller allows more (GoLimit). Each requirement is raised to a release
// that has every API the rewrites introduced and whose own go directive
// fits: the lowest of those with the fewest known advisories, or, on
// request, the newest. A requirement no such release can meet is
// reported (CheckRequires tells the pipeline first, so it can withdraw
// the changes that need it). go.sum is completed; known-vulnerable
// protobuf/gRPC versions are reported with their advisory ids, and the
// documented behaviour changes between the old and the new grpc-go. The go command does the module work, on temporary copies of go.mod
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
	"regexp"
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
	// UnmetRule reports a requirement left out because no release fits
	// the go directive.
	UnmetRule = "mod.unmet"
	// BehaviourRule lists documented behaviour changes between the old
	// and the new grpc-go (spec C.9).
	BehaviourRule = "mod.behaviour"
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
	// directive fits (see GoLimit), instead of the lowest that works.
	Latest bool
	// GoLimit is the highest go directive the stage may leave in go.mod
	// ("1.23"); empty, or lower than the module's own, keeps the module's.
	GoLimit string
	// Keep lists modules whose required version must not change:
	// verification found that raising them breaks the build.
	Keep map[string]bool
	// Tidy runs `go mod tidy` over the rewritten code, which also drops
	// requirements nothing imports any more (github.com/golang/protobuf
	// once the last use is gone).
	Tidy bool
}

// Limit returns the go directive the stage may raise the module in dir
// to: the higher of its own and goLimit.
func Limit(dir, goLimit string) (string, error) {
	cur, err := GoDirective(dir)
	if err != nil {
		return "", err
	}
	if goLimit != "" && goFits(cur, goLimit) {
		return goLimit, nil
	}
	return cur, nil
}

// CheckRequires returns the requirements of opts that no release whose
// go directive fits can meet, for the pipeline to withdraw the changes
// that need them before calling Run.
func CheckRequires(ctx context.Context, opts Options) ([]Unmet, error) {
	gomodPath := filepath.Join(opts.ModuleDir, "go.mod")
	data, err := os.ReadFile(gomodPath)
	if err != nil {
		return nil, err
	}
	mf, err := modfile.Parse(gomodPath, data, nil)
	if err != nil {
		return nil, err
	}
	limit, err := Limit(opts.ModuleDir, opts.GoLimit)
	if err != nil {
		return nil, err
	}
	var out []Unmet
	for _, path := range sortedKeys(opts.Requires) {
		if opts.Keep[path] {
			continue
		}
		want := opts.Requires[path]
		if cur := current(mf, path); cur != "" && semver.Compare(cur, want) >= 0 {
			continue
		}
		c, err := releases.pick(ctx, path, want, limit, false)
		if err != nil {
			return nil, err
		}
		if c.unmet != nil {
			out = append(out, *c.unmet)
		}
	}
	return sortedUnmet(out), nil
}

// conflict is go get's complaint about two picks that disagree.
var conflict = regexp.MustCompile(`(\S+@v\S+) requires (\S+)@(v[^,\s]+), not \S+@v\S+`)

// Run computes the new go.mod and go.sum.
func Run(ctx context.Context, opts Options) (*change.Set, error) {
	r, err := newModRun(opts)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(r.tmp)
	gets, err := r.pick(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.get(ctx, gets); err != nil {
		return nil, err
	}
	if err := r.record(ctx, len(gets) > 0); err != nil {
		return nil, err
	}
	nf, err := r.result()
	if err != nil {
		return nil, err
	}
	r.goDirectiveFindings(ctx, nf)
	if opts.Tidy {
		importers, err := legacyImporters(opts.ModuleDir, opts.Overlay)
		if err != nil {
			return nil, err
		}
		if d, ok := keptFinding(r.gomodPath, nf, importers); ok {
			r.set.Report(d)
		}
	}
	r.set.Report(behaviourChanges(r.gomodPath, r.mf, nf)...)
	r.advisories(ctx, nf)
	return r.set, nil
}

// modRun is one run of the mod stage: the go command works on copies of
// go.mod and go.sum in tmp (with the rewritten sources as an overlay),
// and the result is compared with the originals.
type modRun struct {
	opts                 Options
	gomodPath, gosumPath string
	oldMod, oldSum       []byte
	mf                   *modfile.File
	limit                string // the highest go directive allowed
	tmp                  string
	tmpMod, tmpSum       string
	overlay              string // the -overlay file, "" if none
	set                  *change.Set
	chosen               map[string]string // module path → version picked
	why                  []string          // the reasons for go.mod's changes
}

func newModRun(opts Options) (*modRun, error) {
	r := &modRun{opts: opts, set: &change.Set{}, chosen: map[string]string{},
		gomodPath: filepath.Join(opts.ModuleDir, "go.mod"), gosumPath: filepath.Join(opts.ModuleDir, "go.sum")}
	var err error
	if r.oldMod, err = os.ReadFile(r.gomodPath); err != nil {
		return nil, err
	}
	if r.oldSum, err = os.ReadFile(r.gosumPath); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if r.mf, err = modfile.Parse(r.gomodPath, r.oldMod, nil); err != nil {
		return nil, err
	}
	if r.limit, err = Limit(opts.ModuleDir, opts.GoLimit); err != nil {
		return nil, err
	}
	if r.tmp, err = os.MkdirTemp("", "protolift-mod-"); err != nil {
		return nil, err
	}
	r.tmpMod, r.tmpSum = filepath.Join(r.tmp, "go.mod"), filepath.Join(r.tmp, "go.sum")
	// A go.mod without a go directive is go 1.16 to the go command (the
	// language version its files are compiled and vetted under, and a
	// module graph without pruning); but go get and go mod tidy add the
	// running toolchain's version (go 1.26.8), which silently raises the
	// language version: vet's printf check then rejects %q with an integer
	// that is not a rune (prometheus/common's log tests stopped building).
	// The go commands work on a copy that says go 1.16; noGoLine takes the
	// line out again afterwards, so go.mod keeps what it said.
	work := r.oldMod
	if r.mf.Go == nil {
		if work, err = setGoLine(r.oldMod, impliedGo); err != nil {
			os.RemoveAll(r.tmp)
			return nil, err
		}
	}
	if err = os.WriteFile(r.tmpMod, work, 0o644); err == nil {
		err = os.WriteFile(r.tmpSum, r.oldSum, 0o644)
	}
	if err == nil {
		r.overlay, err = writeOverlay(r.tmp, opts.Overlay)
	}
	if err != nil {
		os.RemoveAll(r.tmp)
		return nil, err
	}
	return r, nil
}

// pick chooses a version for each requirement the changes need and
// returns the go get arguments; requirements no release fitting the go
// directive meets are reported instead.
func (r *modRun) pick(ctx context.Context) ([]string, error) {
	var gets []string
	for _, path := range sortedKeys(r.opts.Requires) {
		want := r.opts.Requires[path]
		cur := current(r.mf, path)
		if !r.opts.Latest && cur != "" && semver.Compare(cur, want) >= 0 {
			continue
		}
		c, err := releases.pick(ctx, path, want, r.limit, r.opts.Latest)
		if err != nil {
			return nil, err
		}
		if c.unmet != nil {
			r.set.Report(requireDiag(r.gomodPath, r.mf, path, change.Diagnostic{Rule: UnmetRule, Risk: change.Manual,
				Message:    "not required: " + c.unmet.String() + "; the changes that need it do not build until it is",
				Suggestion: fmt.Sprintf("allow the go directive to move with protolift -go=%s, or withdraw the changes that need %s", c.unmet.Go, path)}))
			continue
		}
		if cur != "" && semver.Compare(cur, c.version) >= 0 {
			continue
		}
		r.chosen[path] = c.version
		gets = append(gets, path+"@"+c.version)
		switch {
		case cur == "":
			r.why = append(r.why, fmt.Sprintf("require %s %s (rewritten code uses its APIs)", path, c.version))
		case c.version == want:
			r.why = append(r.why, fmt.Sprintf("%s %s → %s (rewritten code uses APIs added in %s)", path, cur, c.version, want))
		default:
			r.why = append(r.why, fmt.Sprintf("%s %s → %s (rewritten code needs %s or later; %s)", path, cur, c.version, want, pickReason(path, c.version, want, r.opts.Latest)))
		}
	}
	// golang/protobuf before v1.5.4 refers to descriptorpb identifiers
	// that google.golang.org/protobuf v1.33.0 and later removed, so a
	// module that still imports it (old generated code, say) stops
	// building when protobuf moves that far; v1.5.4 builds against every
	// current release.
	if pb := r.chosen["google.golang.org/protobuf"]; pb != "" && semver.Compare(pb, "v1.33.0") >= 0 {
		if cur := current(r.mf, golangProtobuf); cur != "" && semver.Compare(cur, golangProtobufFloor) < 0 && !r.opts.Keep[golangProtobuf] {
			// One go get argument per module: the floor replaces a lower
			// pick of golang/protobuf (v1.4.0 for the well-known-type
			// aliases, say); go get refuses both.
			gets = slices.DeleteFunc(gets, func(g string) bool { return strings.HasPrefix(g, golangProtobuf+"@") })
			gets = append(gets, golangProtobuf+"@"+golangProtobufFloor)
			r.why = append(r.why, fmt.Sprintf("%s %s → %s (older releases do not build against the protobuf version required above)", golangProtobuf, cur, golangProtobufFloor))
		}
	}
	return gets, nil
}

// get runs go get on the staged go.mod. Versions picked one module at a
// time can disagree: a grpc release may require a newer protobuf than the
// one picked. go get says so ("X requires M@v2, not M@v1"); take what it
// asks for.
func (r *modRun) get(ctx context.Context, gets []string) error {
	if len(gets) == 0 {
		return nil
	}
	for try := 0; ; try++ {
		args := append([]string{"get", "-modfile=" + r.tmpMod}, gets...)
		err := gocmd(ctx, r.opts.ModuleDir, args...)
		if err == nil {
			return nil
		}
		m := conflict.FindStringSubmatch(err.Error())
		if m == nil || try == 5 {
			return err
		}
		raised := false
		for i, g := range gets {
			if path, v, _ := strings.Cut(g, "@"); path == m[2] && semver.Compare(m[3], v) > 0 {
				gets[i], r.chosen[path] = path+"@"+m[3], m[3]
				r.why = append(r.why, fmt.Sprintf("%s %s (%s requires it)", path, m[3], m[1]))
				raised = true
			}
		}
		if !raised {
			return err
		}
	}
}

// record tidies the staged go.mod when asked; otherwise, after go get,
// it records the checksums the build needs. go get records checksums for
// the modules it changed, not for every module the build now consults:
// in a module without graph pruning (go < 1.17) an import can become
// ambiguous between two modules of the new build list, and go build then
// wants a zip checksum nobody recorded. Loading every package with
// -mod=mod records what the build needs without tidy's removals.
func (r *modRun) record(ctx context.Context, got bool) error {
	if r.opts.Tidy {
		notes, ok, err := tidy(ctx, r.opts.ModuleDir, r.tmpMod, r.overlay, r.mf, r.limit)
		if err != nil {
			return err
		}
		for _, n := range notes {
			r.set.Report(requireDiag(r.gomodPath, r.mf, n.path, change.Diagnostic{Rule: TidyRule, Risk: n.risk, Message: n.msg, Suggestion: n.suggestion}))
			if n.raised != "" {
				r.why = append(r.why, n.msg)
			}
		}
		if ok {
			return nil
		}
	}
	if !got {
		return nil
	}
	args := []string{"list", "-mod=mod", "-modfile=" + r.tmpMod, "-e", "-deps", "-test"}
	if r.overlay != "" {
		args = append(args, "-overlay="+r.overlay)
	}
	return gocmd(ctx, r.opts.ModuleDir, append(args, "./...")...)
}

// result puts the staged go.mod and go.sum into the change set where they
// differ from the originals and returns the new go.mod, parsed.
func (r *modRun) result() (*modfile.File, error) {
	newMod, err := os.ReadFile(r.tmpMod)
	if err != nil {
		return nil, err
	}
	if r.mf.Go == nil {
		if newMod, err = noGoLine(r.oldMod, newMod); err != nil {
			return nil, err
		}
	}
	newSum, _ := os.ReadFile(r.tmpSum)
	if !bytes.Equal(newMod, r.oldMod) {
		msg := "go mod tidy over the rewritten code"
		rule := TidyRule
		if len(r.why) > 0 {
			msg, rule = strings.Join(r.why, "; "), RequireRule
		}
		r.set.Put(&change.File{Path: r.gomodPath, Old: r.oldMod, New: newMod, Edits: []change.Edit{{Rule: rule, Risk: change.Safe, Message: msg}}})
	}
	if !bytes.Equal(newSum, r.oldSum) {
		r.set.Put(&change.File{Path: r.gosumPath, Old: r.oldSum, New: newSum, Created: r.oldSum == nil,
			Edits: []change.Edit{{Rule: TidyRule, Risk: change.Safe, Message: "checksums for the required module versions"}}})
	}
	return modfile.Parse(r.gomodPath, newMod, nil)
}

// directivePos is where findings about the go directive point: the go
// line, else the module line, else the top of go.mod.
func (r *modRun) directivePos() change.Position {
	switch {
	case r.mf.Go != nil:
		return change.Position{Line: r.mf.Go.Syntax.Start.Line, Col: r.mf.Go.Syntax.Start.LineRune, Offset: r.mf.Go.Syntax.Start.Byte}
	case r.mf.Module != nil:
		return change.Position{Line: r.mf.Module.Syntax.Start.Line, Col: r.mf.Module.Syntax.Start.LineRune, Offset: r.mf.Module.Syntax.Start.Byte}
	}
	return change.Position{Line: 1, Col: 1}
}

// goDirectiveFindings reports a go directive the new requirements moved,
// or one they need moved that the go command left alone.
func (r *modRun) goDirectiveFindings(ctx context.Context, nf *modfile.File) {
	oldGo := goVersion(r.mf)
	if semver.Compare("v"+goVersion(nf), "v"+oldGo) <= 0 {
		// Below go 1.21 the go command does not raise the directive for
		// a dependency's; the build still needs that Go, so say so.
		if path, need := neededGo(ctx, r.chosen); need != "" && !goFits(need, oldGo) {
			pos := r.directivePos()
			r.set.Report(change.Diagnostic{Path: r.gomodPath, Start: pos, End: pos, Rule: GoDirectiveRule, Risk: change.Review,
				Message: fmt.Sprintf("the go directive stays %s (the go command does not raise it for dependencies below go 1.21), but %s %s declares go %s: building the module now needs Go %s or later", oldGo, path, r.chosen[path], need, need)})
		}
	}
	if nf.Go == nil || semver.Compare("v"+nf.Go.Version, "v"+oldGo) <= 0 {
		return
	}
	pos := r.directivePos()
	from := oldGo
	if r.mf.Go == nil && r.mf.Module != nil {
		from += " (go.mod had no go directive)"
	}
	d := change.Diagnostic{Path: r.gomodPath, Start: pos, End: pos, Rule: GoDirectiveRule, Risk: change.Review,
		Message: fmt.Sprintf("go directive raised from %s to %s: a required module version needs it (%s); builds now need Go %s or later, and the module's files are compiled and vetted as go %s", from, nf.Go.Version, strings.Join(r.why, "; "), nf.Go.Version, nf.Go.Version)}
	if !goFits(nf.Go.Version, r.limit) {
		// A module the build list pulled in needs more than allowed.
		d.Risk = change.Manual
		d.Message += fmt.Sprintf("; more than the go %s allowed: a dependency selected with the new requirements declares it", r.limit)
		d.Suggestion = fmt.Sprintf("accept it with protolift -go=%s, or find the module with go mod graph and keep it at an older release", nf.Go.Version)
	}
	r.set.Report(d)
}

// advisories reports known advisories of the versions the module ends up
// with, pointing at go.mod as it is on disk now (the line of the
// requirement, or the module line for a requirement this run adds). One
// whose fix no release fitting the go directive has is for review: the
// go directive is the module's choice, and -go names the way out.
func (r *modRun) advisories(ctx context.Context, nf *modfile.File) {
	newMod := r.oldMod
	if f := r.set.Lookup(r.gomodPath); f != nil {
		newMod = f.New
	}
	for _, d := range Advisories(r.gomodPath, newMod, nf) {
		path := d.Message[:strings.Index(d.Message, " ")]
		d = requireDiag(r.gomodPath, r.mf, path, d)
		if fix, goNeed, ok := unreachableFix(ctx, d.Message, r.limit); ok {
			d.Risk = change.Review
			d.Message += fmt.Sprintf("; no fixed release fits go %s (%s needs go %s)", r.limit, fix, goNeed)
			d.Suggestion = fmt.Sprintf("go get %s@%s when the module can require go %s", path, fix, goNeed)
		}
		r.set.Report(d)
	}
}

// neededGo returns the chosen requirement with the highest go directive,
// and that directive.
func neededGo(ctx context.Context, chosen map[string]string) (path, need string) {
	for _, p := range sortedKeys(chosen) {
		dirs, err := releases.GoDirectives(ctx, p, []string{chosen[p]})
		if err != nil {
			continue
		}
		if g := dirs[chosen[p]]; g != "" && (need == "" || !goFits(g, need)) {
			path, need = p, g
		}
	}
	return path, need
}

// requireDiag places d at the line of path's requirement in go.mod as it
// is on disk (the module line when go.mod does not require path yet).
func requireDiag(gomodPath string, mf *modfile.File, path string, d change.Diagnostic) change.Diagnostic {
	d.Path = gomodPath
	d.Start = change.Position{Line: 1, Col: 1}
	if mf.Module != nil {
		d.Start = change.Position{Line: mf.Module.Syntax.Start.Line, Col: mf.Module.Syntax.Start.LineRune, Offset: mf.Module.Syntax.Start.Byte}
	}
	for _, r := range mf.Require {
		if r.Mod.Path == path {
			d.Start = change.Position{Line: r.Syntax.Start.Line, Col: r.Syntax.Start.LineRune, Offset: r.Syntax.Start.Byte}
		}
	}
	d.End = d.Start
	return d
}

func pickReason(path, v, want string, latest bool) string {
	if latest {
		return "the newest release the go directive allows"
	}
	var skipped []string
	for _, a := range affecting(path, want) {
		if !a.affected(v) {
			skipped = append(skipped, a.id)
		}
	}
	if len(skipped) > 0 {
		return fmt.Sprintf("%s is the lowest release that fits the go directive without %s", v, strings.Join(skipped, ", "))
	}
	return fmt.Sprintf("%s is the lowest release that fits the go directive", v)
}

// unreachableFix reports, for an advisory message from Advisories, the
// lowest release fixing it and its go directive when that directive does
// not fit limit.
func unreachableFix(ctx context.Context, msg, limit string) (fix, goNeed string, ok bool) {
	f := strings.Fields(msg)
	if len(f) < 6 {
		return "", "", false
	}
	path, cur, id := f[0], f[1], f[5]
	var adv *advisory
	for i := range advisories {
		if advisories[i].id == id && advisories[i].module == path {
			adv = &advisories[i]
		}
	}
	if adv == nil {
		return "", "", false
	}
	all, err := releases.Versions(ctx, path)
	if err != nil {
		return "", "", false
	}
	for _, v := range all {
		if semver.Compare(v, cur) <= 0 || adv.affected(v) {
			continue
		}
		dirs, err := releases.GoDirectives(ctx, path, []string{v})
		if err != nil {
			return "", "", false
		}
		if goFits(dirs[v], limit) {
			return "", "", false
		}
		return v, dirs[v], true
	}
	return "", "", false
}

// impliedGo is the go directive the go command assumes for a go.mod
// without one.
const impliedGo = "1.16"

// goVersion returns mf's go directive, or the one the go command assumes.
func goVersion(mf *modfile.File) string {
	if mf.Go == nil {
		return impliedGo
	}
	return mf.Go.Version
}

// setGoLine returns data with a go directive saying v.
func setGoLine(data []byte, v string) ([]byte, error) {
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	if err := f.AddGoStmt(v); err != nil {
		return nil, err
	}
	return modfile.Format(f.Syntax), nil
}

// noGoLine returns newMod, which the go command wrote from oldMod (a
// go.mod without a go directive) plus "go 1.16", without that line again:
// unchanged when the rest is what oldMod said. A directive the go command
// raised above go 1.16 (a requirement needs it) stays, and is reported.
func noGoLine(oldMod, newMod []byte) ([]byte, error) {
	f, err := modfile.Parse("go.mod", newMod, nil)
	if err != nil {
		return nil, err
	}
	if f.Go == nil || f.Go.Version != impliedGo {
		return newMod, nil
	}
	f.DropGoStmt()
	f.Cleanup()
	out := modfile.Format(f.Syntax)
	if o, err := modfile.Parse("go.mod", oldMod, nil); err == nil && bytes.Equal(modfile.Format(o.Syntax), out) {
		return oldMod, nil
	}
	return out, nil
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
