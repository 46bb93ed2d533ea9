package gomod

import (
	"context"
	"encoding/json"
	"fmt"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// index answers which releases of a module exist and which go directive
// each declares, through the go command (`go list -m -versions`, then
// `go list -m -json path@v…`, which fetches only the go.mod files). A
// release's go.mod never changes, so go directives are also kept on disk
// (the user cache directory) across runs; version lists are kept for the
// process only.
type index struct {
	mu       sync.Mutex
	versions map[string][]string
	goDir    map[string]string // "path@version" → go directive ("" when none)
	loaded   bool
	dirty    bool
	// cacheFile holds go directives across runs ("" keeps them in
	// memory only).
	cacheFile string
}

var releases = &index{cacheFile: goDirectiveCache()}

// goDirectiveCache is the file holding known go directives.
func goDirectiveCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "protolift", "godirectives.json")
}

func (ix *index) load() {
	if ix.loaded {
		return
	}
	ix.loaded = true
	ix.versions = map[string][]string{}
	ix.goDir = map[string]string{}
	if p := ix.cacheFile; p != "" {
		if data, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(data, &ix.goDir)
		}
	}
}

func (ix *index) save() {
	p := ix.cacheFile
	if !ix.dirty || p == "" {
		return
	}
	data, err := json.Marshal(ix.goDir)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".godirectives-")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), p) == nil {
		ix.dirty = false
	}
}

// listCmd runs the go command outside any module, so the user's go.mod,
// go.work and replace directives play no part in the answer.
func listCmd(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GO111MODULE=on")
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return nil, fmt.Errorf("go %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

// Versions returns the releases of path (no prereleases; the go command
// already leaves out retracted ones), lowest first.
func (ix *index) Versions(ctx context.Context, path string) ([]string, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.load()
	if vs, ok := ix.versions[path]; ok {
		return vs, nil
	}
	// path@latest answers the same inside or outside any module.
	out, err := listCmd(ctx, "list", "-m", "-versions", "-json", path+"@latest")
	if err != nil {
		return nil, err
	}
	var info struct{ Versions []string }
	if err := json.Unmarshal(out, &info); err != nil {
		return nil, err
	}
	var vs []string
	for _, v := range info.Versions {
		if semver.IsValid(v) && semver.Prerelease(v) == "" {
			vs = append(vs, v)
		}
	}
	semver.Sort(vs)
	ix.versions[path] = vs
	return vs, nil
}

// GoDirectives returns the go directive of each given release of path
// ("" for a go.mod without one).
func (ix *index) GoDirectives(ctx context.Context, path string, versions []string) (map[string]string, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.load()
	out := map[string]string{}
	var missing []string
	for _, v := range versions {
		if g, ok := ix.goDir[path+"@"+v]; ok {
			out[v] = g
		} else {
			missing = append(missing, path+"@"+v)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	data, err := listCmd(ctx, append([]string{"list", "-m", "-json"}, missing...)...)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for dec.More() {
		var m struct{ Path, Version, GoVersion, GoMod string }
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
		g := m.GoVersion
		if g == "" && m.GoMod != "" {
			// Older go commands leave GoVersion out for queried modules.
			if b, err := os.ReadFile(m.GoMod); err == nil {
				if f, err := modfile.ParseLax(m.GoMod, b, nil); err == nil && f.Go != nil {
					g = f.Go.Version
				}
			}
		}
		ix.goDir[m.Path+"@"+m.Version] = g
		out[m.Version] = g
		ix.dirty = true
	}
	ix.save()
	return out, nil
}

// goFits reports whether a module declaring go directive dep can be
// required by a module allowed go directive limit without needing a newer
// Go release. A language version (1.21) stands for its first release
// (1.21.0): the go command may rewrite "go 1.21" as "go 1.21.0", but every
// Go 1.21 release builds either; 1.22.7 does not fit 1.22.
func goFits(dep, limit string) bool {
	return dep == "" || limit == "" || version.Compare(release(dep), release(limit)) <= 0
}

func release(v string) string {
	if strings.Count(v, ".") == 1 && !strings.ContainsAny(v, "rcbeta") {
		v += ".0"
	}
	return "go" + v
}

// GoDirective returns the go directive of the module in dir: the go
// command assumes go 1.16 when the line is missing.
func GoDirective(dir string) (string, error) {
	p := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(p, data, nil)
	if err != nil {
		return "", err
	}
	if f.Go == nil {
		return impliedGo, nil
	}
	return f.Go.Version, nil
}

// Unmet is a requirement the module cannot get without raising its go
// directive further than allowed.
type Unmet struct {
	Path    string // module path
	Version string // the minimum version some change needs
	// Go is the go directive of the lowest release at or above Version.
	Go string
	// Max is the newest release the allowed go directive permits ("" if
	// none).
	Max string
	// Limit is the go directive allowed.
	Limit string
}

func (u Unmet) String() string {
	s := fmt.Sprintf("%s %s needs go %s (the go directive allowed is %s", u.Path, u.Version, u.Go, u.Limit)
	if u.Max != "" {
		s += fmt.Sprintf("; the newest release it allows is %s", u.Max)
	}
	return s + ")"
}

// choice is the release picked for one requirement.
type choice struct {
	version string
	unmet   *Unmet
}

// pick chooses the release of path to require for need (a minimum
// version; "" for none) under the go directive limit: with latest the
// newest release that fits, otherwise, among the releases at or above
// need that fit, the one with the fewest known advisories, the lowest of
// those. skip names releases never to pick. When the module's releases
// cannot be listed (a private module, no network), need itself is the
// answer and the go command decides.
func (ix *index) pick(ctx context.Context, path, need, limit string, latest bool, skip ...string) (choice, error) {
	all, err := ix.Versions(ctx, path)
	if err != nil || len(all) == 0 {
		return choice{version: need}, nil
	}
	var cands []string
	for _, v := range all {
		if (need == "" || semver.Compare(v, need) >= 0) && !contains(skip, v) {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return choice{version: need}, nil
	}
	dirs, err := ix.GoDirectives(ctx, path, cands)
	if err != nil {
		// A release whose go.mod cannot be read: the go command decides.
		return choice{version: need}, nil
	}
	var fit []string
	for _, v := range cands {
		if goFits(dirs[v], limit) {
			fit = append(fit, v)
		}
	}
	if len(fit) == 0 {
		u := &Unmet{Path: path, Version: need, Go: dirs[cands[0]], Limit: limit}
		if max, err := ix.newestFit(ctx, path, limit, skip); err == nil {
			u.Max = max
		}
		return choice{unmet: u}, nil
	}
	if latest {
		return choice{version: fit[len(fit)-1]}, nil
	}
	best, bestN := "", -1
	for _, v := range fit {
		if n := len(affecting(path, v)); bestN < 0 || n < bestN {
			best, bestN = v, n
		}
	}
	return choice{version: best}, nil
}

// newestFit returns the newest release of path whose go directive fits
// limit, or "" if none does.
func (ix *index) newestFit(ctx context.Context, path, limit string, skip []string) (string, error) {
	all, err := ix.Versions(ctx, path)
	if err != nil {
		return "", err
	}
	// Go directives only grow from release to release in the modules
	// protolift manages; walk down in small batches so a module with
	// hundreds of releases costs one or two go commands.
	for hi := len(all); hi > 0; {
		lo := max(hi-16, 0)
		var batch []string
		for _, v := range all[lo:hi] {
			if !contains(skip, v) {
				batch = append(batch, v)
			}
		}
		dirs, err := ix.GoDirectives(ctx, path, batch)
		if err != nil {
			return "", err
		}
		for i := len(batch) - 1; i >= 0; i-- {
			if goFits(dirs[batch[i]], limit) {
				return batch[i], nil
			}
		}
		hi = lo
	}
	return "", nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// affecting returns the advisories affecting path at v.
func affecting(path, v string) []advisory {
	var out []advisory
	for _, a := range advisories {
		if a.module == path && a.affected(v) {
			out = append(out, a)
		}
	}
	return out
}

// Generators are the generator versions the gen stage should run.
type Generators struct {
	// Go is google.golang.org/protobuf's protoc-gen-go; the runtime the
	// regenerated code needs is the same release.
	Go string
	// GRPC is protoc-gen-go-grpc.
	GRPC string
}

const grpcGenModule = "google.golang.org/grpc/cmd/protoc-gen-go-grpc"

// PlanGenerators picks the newest protoc-gen-go (with its runtime) and
// protoc-gen-go-grpc whose own go directives fit limit, but never newer
// than the pinned ones (goPin, grpcPin), whose output protolift's tests
// check. protoc-gen-go-grpc v1.5.0 cannot be installed (its go.mod has a
// replace directive) and is never picked.
func PlanGenerators(ctx context.Context, limit, goPin, grpcPin string) (Generators, error) {
	g := Generators{Go: goPin, GRPC: grpcPin}
	for _, x := range []struct {
		path, pin string
		skip      []string
		out       *string
	}{
		{"google.golang.org/protobuf", goPin, nil, &g.Go},
		{grpcGenModule, grpcPin, []string{"v1.5.0"}, &g.GRPC},
	} {
		all, err := releases.Versions(ctx, x.path)
		if err != nil {
			return g, err
		}
		var upTo []string
		for _, v := range all {
			if semver.Compare(v, x.pin) <= 0 && !contains(x.skip, v) {
				upTo = append(upTo, v)
			}
		}
		if len(upTo) == 0 {
			continue
		}
		dirs, err := releases.GoDirectives(ctx, x.path, upTo)
		if err != nil {
			return g, err
		}
		found := ""
		for i := len(upTo) - 1; i >= 0; i-- {
			if goFits(dirs[upTo[i]], limit) {
				found = upTo[i]
				break
			}
		}
		if found == "" {
			return g, fmt.Errorf("no release of %s up to %s fits go %s", x.path, x.pin, limit)
		}
		*x.out = found
	}
	return g, nil
}

// sortedUnmet orders unmet requirements by module path.
func sortedUnmet(u []Unmet) []Unmet {
	sort.Slice(u, func(i, j int) bool { return u[i].Path < u[j].Path })
	return u
}
