// Package verify type-checks a module as protolift would leave it and
// tells which errors are new: errors the module already had are the
// user's, errors it did not have are protolift's and must never be
// written. It only answers questions; the pipeline decides what to
// withdraw (see internal/pipeline/verify.go).
package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// Problem is one error of one package, with its position.
type Problem struct {
	// Pkg is the package's import path (test variants share it).
	Pkg string
	// Dir is the package's directory.
	Dir string
	// File is absolute; Line and Col are 1-based. File is empty for an
	// error without a position (a package that cannot be listed).
	File      string
	Line, Col int
	Msg       string
	// Analyzer is the go vet analyzer that reported a vet finding
	// (copylocks, printf, …); empty for a compile error.
	Analyzer string
	// Imports are the directories of the module packages the erring
	// package imports directly: where a change that broke an unchanged
	// file most likely is.
	Imports []string
}

func (p Problem) String() string {
	if p.File == "" {
		return fmt.Sprintf("%s: %s", p.Pkg, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// key identifies a problem across the baseline and the result, where
// line numbers of changed files move: the package, the file and the
// message.
func (p Problem) key() string {
	return p.Pkg + "\x00" + p.File + "\x00" + p.Analyzer + "\x00" + p.Msg
}

// Config says what to check.
type Config struct {
	// ModuleDir is the module root.
	ModuleDir string
	// Dirs are the package directories to check; empty means every
	// package of the module ("./...").
	Dirs []string
	// Overlay replaces file contents (absolute path → content).
	Overlay map[string][]byte
	// ModFile is an alternate go.mod (go.sum beside it), or "".
	ModFile string
	// Tags are build tags (as go build -tags).
	Tags []string
}

// Check compiles the packages of cfg, tests included, and returns every
// error with a position in a file of the module.
//
// It asks the go command (`go list -export -test`) rather than
// type-checking in process: the compiler's results land in the build
// cache, so after the first round only the packages a withdrawal touched
// are compiled again, and nothing of the module stays in memory here.
func Check(ctx context.Context, cfg Config) ([]Problem, error) {
	pats, err := patterns(cfg)
	if err != nil {
		return nil, err
	}
	args := []string{"list", "-e", "-export", "-test", "-json=ImportPath,Dir,Error,DepsErrors,Module,Imports,ForTest"}
	cmd, back, cleanup, err := cfg.goCommand(ctx, args, pats)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("checking the result: go %s: %v\n%s", strings.Join(args[:2], " "), err, stderr.String())
	}
	type listed struct {
		ImportPath, Dir, ForTest string
		Error                    *struct{ Pos, Err string }
		DepsErrors               []*struct{ Pos, Err string }
		Module                   *struct{ Path string }
		Imports                  []string
	}
	var pkgs []listed
	dirOf := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("checking the result: reading go list output: %v", err)
		}
		pkgs = append(pkgs, p)
		if p.ForTest == "" && !strings.HasSuffix(p.ImportPath, ".test") {
			dirOf[p.ImportPath] = p.Dir
		}
	}
	var problems []Problem
	seen := map[string]bool{}
	for _, p := range pkgs {
		// An import that does not resolve (a package a version raise
		// removed) is reported among the importer's DepsErrors, at the
		// import in one of its own files.
		errs := []*struct{ Pos, Err string }{p.Error}
		for _, e := range p.DepsErrors {
			if e == nil {
				continue
			}
			if dep, ok := strings.CutPrefix(e.Err, "# "); ok {
				// A dependency outside the module that no longer compiles
				// (a version raise made it disagree with another
				// dependency): the package cannot build, and only this
				// error says why.
				dep, rest, _ := strings.Cut(dep, "\n")
				dep, _, _ = strings.Cut(dep, " ")
				if _, local := dirOf[dep]; !local {
					first, _, _ := strings.Cut(strings.TrimSpace(rest), "\n")
					errs = append(errs, &struct{ Pos, Err string }{"", fmt.Sprintf("dependency package %s does not compile: %s", dep, first)})
				}
				continue
			}
			if e.Pos != "" {
				if f, _, _ := splitPos(e.Pos, cfg.ModuleDir); filepath.Dir(f) == p.Dir {
					errs = append(errs, e)
				}
			}
		}
		if errs[0] == nil {
			errs = errs[1:]
		}
		if len(errs) == 0 || strings.HasSuffix(p.ImportPath, ".test") {
			continue
		}
		path, _, _ := strings.Cut(p.ImportPath, " ")
		path = strings.TrimSuffix(path, "_test")
		var imports []string
		for _, imp := range p.Imports {
			imp, _, _ = strings.Cut(imp, " ")
			if d, ok := dirOf[imp]; ok && p.Module != nil && (imp == p.Module.Path || strings.HasPrefix(imp, p.Module.Path+"/")) {
				imports = append(imports, d)
			}
		}
		sort.Strings(imports)
		add := func(pos, msg string) {
			pr := Problem{Pkg: path, Dir: p.Dir, Msg: msg, Imports: imports}
			// The go command prints paths relative to where it runs.
			pr.File, pr.Line, pr.Col = splitPos(pos, cfg.ModuleDir)
			if orig, ok := back[pr.File]; ok {
				pr.File = orig
			}
			if pr.File != "" && !within(cfg.ModuleDir, pr.File) {
				return
			}
			k := fmt.Sprintf("%s:%d:%d:%s", pr.File, pr.Line, pr.Col, pr.Msg)
			if seen[k] {
				return
			}
			seen[k] = true
			problems = append(problems, pr)
		}
		for _, e := range errs {
			if msg := e.Err; strings.HasPrefix(msg, "# ") {
				for _, l := range strings.Split(msg, "\n")[1:] {
					if pos, m, ok := cutPos(l); ok {
						add(pos, m)
					}
				}
			} else {
				first, _, _ := strings.Cut(msg, "\n")
				first = strings.TrimSuffix(strings.TrimSpace(first), ": import lookup disabled by -mod=readonly")
				add(e.Pos, first)
			}
		}
	}
	sort.Slice(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Msg < b.Msg
	})
	return problems, nil
}

// patterns returns the go command's package patterns for cfg.
func patterns(cfg Config) ([]string, error) {
	if len(cfg.Dirs) == 0 {
		return []string{"./..."}, nil
	}
	var pats []string
	for _, d := range cfg.Dirs {
		rel, err := filepath.Rel(cfg.ModuleDir, d)
		if err != nil {
			return nil, err
		}
		pats = append(pats, "./"+filepath.ToSlash(rel))
	}
	return pats, nil
}

// writeOverlay writes an -overlay file for the go command and returns
// its flag, the map from replacement files back to the files they
// replace, and a cleanup. The compiler and vet name overlaid files by
// their replacement's path: replacements get directories of their own
// so each maps back.
// goCommand builds `go args… pats…` in the module as cfg leaves it: its
// build tags, staged go.mod and overlay (written to a temporary directory
// that cleanup removes; back maps those files to the module's paths).
func (cfg Config) goCommand(ctx context.Context, args, pats []string) (cmd *exec.Cmd, back map[string]string, cleanup func(), err error) {
	args = slices.Clone(args)
	if len(cfg.Tags) > 0 {
		args = append(args, "-tags="+strings.Join(cfg.Tags, ","))
	}
	if cfg.ModFile != "" {
		args = append(args, "-modfile="+cfg.ModFile)
	}
	ovArgs, back, cleanup, err := writeOverlay(cfg.Overlay)
	if err != nil {
		return nil, nil, nil, err
	}
	args = append(args, ovArgs...)
	cmd = exec.CommandContext(ctx, "go", append(args, pats...)...)
	cmd.Dir = cfg.ModuleDir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
	return cmd, back, cleanup, nil
}

func writeOverlay(overlay map[string][]byte) (args []string, back map[string]string, cleanup func(), err error) {
	back = map[string]string{}
	if len(overlay) == 0 {
		return nil, back, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "protolift-verify-overlay-")
	if err != nil {
		return nil, nil, nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	replace := map[string]string{}
	i := 0
	for path, content := range overlay {
		d := filepath.Join(tmp, strconv.Itoa(i))
		i++
		if err := os.Mkdir(d, 0o755); err != nil {
			cleanup()
			return nil, nil, nil, err
		}
		r := filepath.Join(d, filepath.Base(path))
		if err := os.WriteFile(r, content, 0o644); err != nil {
			cleanup()
			return nil, nil, nil, err
		}
		replace[path], back[r] = r, path
	}
	data, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	ov := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ov, data, 0o644); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	return []string{"-overlay=" + ov}, back, cleanup, nil
}

// cutPos splits a compiler line "file.go:12:3: msg".
func cutPos(l string) (pos, msg string, ok bool) {
	l = strings.TrimSpace(l)
	i := strings.Index(l, ".go:")
	if i < 0 {
		return "", "", false
	}
	rest := l[i+4:]
	j := strings.Index(rest, ": ")
	if j < 0 {
		return "", "", false
	}
	return l[:i+4+j], rest[j+2:], true
}

// splitPos parses "file:line:col" (col optional); relative files are
// taken relative to dir.
func splitPos(pos, dir string) (file string, line, col int) {
	if pos == "" || pos == "-" {
		return "", 0, 0
	}
	parts := strings.Split(pos, ":")
	nums := []int{}
	for len(parts) > 1 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	file = strings.Join(parts, ":")
	if !filepath.IsAbs(file) && dir != "" {
		file = filepath.Join(dir, file)
	}
	if len(nums) > 0 {
		line = nums[0]
	}
	if len(nums) > 1 {
		col = nums[1]
	}
	return filepath.Clean(file), line, col
}

func within(root, file string) bool {
	rel, err := filepath.Rel(root, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// New returns the problems of result that baseline does not have. A
// problem counts as known when the same package had the same message in
// the same file; each baseline problem excuses one result problem.
func New(baseline, result []Problem) []Problem {
	known := map[string]int{}
	for _, p := range baseline {
		known[p.key()]++
	}
	var out []Problem
	for _, p := range result {
		if known[p.key()] > 0 {
			known[p.key()]--
			continue
		}
		out = append(out, p)
	}
	return out
}

// Dirs returns the package directories the problems are in.
func Dirs(ps []Problem) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if p.Dir != "" && !seen[p.Dir] {
			seen[p.Dir] = true
			out = append(out, p.Dir)
		}
	}
	sort.Strings(out)
	return out
}

// VetResult is what go vet found in a module's packages.
type VetResult struct {
	// Problems are the diagnostics in files of the module, with the
	// analyzer that reported each.
	Problems []Problem
	// Failed are the import paths of packages vet could not analyze
	// (they do not type-check); their findings are unknown.
	Failed map[string]bool
}

// DefaultAnalyzers selects every analyzer `go vet` runs by default.
var DefaultAnalyzers []string

// Vet runs go vet on the packages of cfg, tests included, with the same
// overlay and go.mod a Check of cfg uses (so the build cache the check
// filled is reused), and returns its diagnostics. analyzers names the
// analyzers to run (as go vet's -NAME flags); DefaultAnalyzers (nil)
// runs go vet's default set.
func Vet(ctx context.Context, cfg Config, analyzers []string) (*VetResult, error) {
	pats, err := patterns(cfg)
	if err != nil {
		return nil, err
	}
	// The gate's own flag keeps its results apart in the build cache:
	// go vet replays a cached result verbatim, and the gate's name the
	// overlay's temporary files, which the user's own go vet after the
	// write must never print. (The flag only names one more printf
	// wrapper, a function no code has.)
	args := []string{"vet", "-json", "-printf.funcs=" + vetCacheMark}
	for _, a := range analyzers {
		args = append(args, "-"+a)
	}
	cmd, back, cleanup, err := cfg.goCommand(ctx, args, pats)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	modPath := ""
	if data, err := os.ReadFile(filepath.Join(cfg.ModuleDir, "go.mod")); err == nil {
		modPath = modfile.ModulePath(data)
	}
	res := &VetResult{Failed: map[string]bool{}}
	blocks := 0
	seen := map[string]bool{}
	// go vet -json prints one JSON object per package (to stdout or
	// stderr, depending on the Go version), and "# pkg" headers followed by
	// the errors of packages it could not analyze.
	for _, out := range []string{stdout.String(), stderr.String()} {
		lines := strings.Split(out, "\n")
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if h, ok := strings.CutPrefix(l, "# "); ok {
				res.Failed[vetPkg(h)] = true
				continue
			}
			if l != "{" && l != "{}" {
				continue
			}
			j := i
			for l != "{}" && j < len(lines) && lines[j] != "}" {
				j++
			}
			if j == len(lines) {
				break
			}
			block := strings.Join(lines[i:j+1], "\n")
			i = j
			blocks++
			var byPkg map[string]map[string]json.RawMessage
			if err := json.Unmarshal([]byte(block), &byPkg); err != nil {
				return nil, fmt.Errorf("checking the result: reading go vet output: %v", err)
			}
			for id, byAnalyzer := range byPkg {
				pkg := vetPkg(id)
				for analyzer, raw := range byAnalyzer {
					var diags []struct{ Posn, Message string }
					if json.Unmarshal(raw, &diags) != nil {
						// {"error": "..."}: the analyzer could not run.
						res.Failed[pkg] = true
						continue
					}
					for _, d := range diags {
						pr := Problem{Pkg: pkg, Msg: d.Message, Analyzer: analyzer}
						pr.File, pr.Line, pr.Col = splitPos(d.Posn, cfg.ModuleDir)
						if orig, ok := back[pr.File]; ok {
							pr.File = orig
						} else if orig := replayed(cfg, modPath, pkg, pr.File); orig != "" {
							pr.File = orig
						}
						if pr.File == "" || !within(cfg.ModuleDir, pr.File) {
							continue
						}
						pr.Dir = filepath.Dir(pr.File)
						k := fmt.Sprintf("%s:%d:%d:%s:%s", pr.File, pr.Line, pr.Col, analyzer, pr.Msg)
						if seen[k] {
							continue
						}
						seen[k] = true
						res.Problems = append(res.Problems, pr)
					}
				}
			}
		}
	}
	if runErr != nil && blocks == 0 && len(res.Failed) == 0 {
		return nil, fmt.Errorf("checking the result: go vet: %v\n%s", runErr, stderr.String())
	}
	sort.Slice(res.Problems, func(i, j int) bool {
		a, b := res.Problems[i], res.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
	return res, nil
}

// vetCacheMark is the printf wrapper name the gate's go vet runs add.
const vetCacheMark = "protoliftVerifyGate"

// replayed maps a file of an earlier run's overlay, which go vet names
// when it replays a cached result for the same content, back to the
// module's file: the package's directory and the file's name.
func replayed(cfg Config, modPath, pkg, file string) string {
	if modPath == "" || !strings.Contains(file, "protolift-verify-overlay-") {
		return ""
	}
	rest, ok := strings.CutPrefix(pkg, modPath)
	if !ok || rest != "" && rest[0] != '/' {
		return ""
	}
	orig := filepath.Join(cfg.ModuleDir, filepath.FromSlash(rest), filepath.Base(file))
	if _, ok := cfg.Overlay[orig]; ok {
		return orig
	}
	if _, err := os.Stat(orig); err == nil {
		return orig
	}
	return ""
}

// vetPkg turns go vet's package id ("example.com/a_test
// [example.com/a.test]") into the import path Problems use.
func vetPkg(id string) string {
	id, _, _ = strings.Cut(strings.TrimSpace(id), " ")
	return strings.TrimSuffix(id, "_test")
}
