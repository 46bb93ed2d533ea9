// Package verify type-checks a module as protolift would leave it and
// tells which errors are new: errors the module already had are the
// user's, errors it did not have are protolift's and must never be
// written. It only answers questions; the pipeline decides what to
// withdraw (see cmd/protolift/verify.go).
package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
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
func (p Problem) key() string { return p.Pkg + "\x00" + p.File + "\x00" + p.Msg }

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

// Check type-checks the packages of cfg, tests included, and returns
// every error with a position in a file of the module.
func Check(ctx context.Context, cfg Config) ([]Problem, error) {
	pats := []string{"./..."}
	if len(cfg.Dirs) > 0 {
		pats = pats[:0]
		for _, d := range cfg.Dirs {
			rel, err := filepath.Rel(cfg.ModuleDir, d)
			if err != nil {
				return nil, err
			}
			pats = append(pats, "./"+filepath.ToSlash(rel))
		}
	}
	pc := &packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedModule,
		Dir:     cfg.ModuleDir,
		Tests:   true,
		Overlay: cfg.Overlay,
		Env:     append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off"),
	}
	if len(cfg.Tags) > 0 {
		pc.BuildFlags = append(pc.BuildFlags, "-tags="+strings.Join(cfg.Tags, ","))
	}
	if cfg.ModFile != "" {
		pc.BuildFlags = append(pc.BuildFlags, "-modfile="+cfg.ModFile)
	}
	// Batches bound memory on large modules: syntax and types of every
	// package at once can be gigabytes.
	const batch = 200
	var out []Problem
	seen := map[string]bool{}
	for i := 0; i < len(pats); i += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pkgs, err := packages.Load(pc, pats[i:min(i+batch, len(pats))]...)
		if err != nil {
			return nil, fmt.Errorf("type-checking the result: %w", err)
		}
		for _, p := range pkgs {
			out = append(out, problems(p, cfg.ModuleDir, seen)...)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Msg < b.Msg
	})
	return out, nil
}

// problems converts a package's errors. The go command's compiler
// summary ("# pkg" followed by the errors) only repeats the type errors
// go/packages found itself, so it is used only when there are none.
func problems(p *packages.Package, moduleDir string, seen map[string]bool) []Problem {
	if len(p.Errors) == 0 {
		return nil
	}
	dir := ""
	if len(p.GoFiles) > 0 {
		dir = filepath.Dir(p.GoFiles[0])
	} else if len(p.CompiledGoFiles) > 0 {
		dir = filepath.Dir(p.CompiledGoFiles[0])
	}
	var imports []string
	for _, imp := range p.Imports {
		if imp.Module != nil && p.Module != nil && imp.Module.Path == p.Module.Path && len(imp.GoFiles) > 0 {
			imports = append(imports, filepath.Dir(imp.GoFiles[0]))
		}
	}
	sort.Strings(imports)
	hasTypeErrors := false
	for _, e := range p.Errors {
		hasTypeErrors = hasTypeErrors || e.Kind == packages.TypeError
	}
	var out []Problem
	add := func(pos, msg string) {
		pr := Problem{Pkg: p.PkgPath, Dir: dir, Msg: msg, Imports: imports}
		pr.File, pr.Line, pr.Col = splitPos(pos, dir)
		if pr.File != "" && !within(moduleDir, pr.File) {
			return
		}
		k := fmt.Sprintf("%s:%d:%d:%s", pr.File, pr.Line, pr.Col, pr.Msg)
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, pr)
	}
	for _, e := range p.Errors {
		switch {
		case e.Kind == packages.ListError && (e.Pos == "" || e.Pos == "-") && strings.HasPrefix(e.Msg, "# "):
			if hasTypeErrors {
				continue
			}
			for _, l := range strings.Split(e.Msg, "\n")[1:] {
				if pos, msg, ok := cutPos(l); ok {
					add(pos, msg)
				}
			}
		default:
			add(e.Pos, e.Msg)
		}
	}
	return out
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
