package diffcheck

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/generate"
)

// The module generated code is type-checked against: the runtime versions
// every generator variant's output compiles with. Its go.sum is complete,
// so loading needs no -mod=mod and no network once the module cache has
// these versions.
var (
	//go:embed depmod.go.mod
	depGoMod []byte
	//go:embed depmod.go.sum
	depGoSum []byte
)

// depCache keeps loaded dependency packages for the life of the process:
// both sides of a run, and repeated runs, import the same runtime.
var depCache struct {
	sync.Mutex
	dir  string
	pkgs map[string]*types.Package
}

// loadDeps returns type information for the given non-generated import
// paths, loading from export data through go/packages in a private
// module that pins the runtime.
func loadDeps(paths []string) (map[string]*types.Package, error) {
	depCache.Lock()
	defer depCache.Unlock()
	if depCache.pkgs == nil {
		depCache.pkgs = map[string]*types.Package{"unsafe": types.Unsafe}
	}
	var missing []string
	for _, p := range paths {
		if _, ok := depCache.pkgs[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return depCache.pkgs, nil
	}
	if depCache.dir == "" {
		dir, err := depModuleDir()
		if err != nil {
			return nil, err
		}
		depCache.dir = dir
	}
	cfg := &packages.Config{
		// Roots only: their types come from export data, and generated
		// code uses nothing but the packages it imports directly.
		Mode: packages.NeedName | packages.NeedTypes,
		Dir:  depCache.dir,
		Env:  append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly", "GO111MODULE=on"),
	}
	pkgs, err := packages.Load(cfg, missing...)
	if err != nil {
		return nil, fmt.Errorf("diffcheck: loading the protobuf/gRPC runtime for type-checking: %v", err)
	}
	var errs []string
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		if p.Types != nil && p.Types.Complete() {
			depCache.pkgs[p.PkgPath] = p.Types
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("diffcheck: generated code imports packages the pinned runtime (protobuf v1.36.12, grpc v1.85.0, golang/protobuf v1.5.4, genproto) cannot provide:\n%s\ngenerate those .proto files too, or pass their Go packages' .proto sources in the paths", strings.Join(errs, "\n"))
	}
	return depCache.pkgs, nil
}

// preloadDeps loads, in one go/packages call, the runtime packages that
// the output of both sides imports: one load costs about as much as
// loading a single package.
func preloadDeps(fset *token.FileSet, sides ...sideFiles) error {
	generated := map[string]bool{}
	imports := map[string]bool{}
	for _, side := range sides {
		for _, f := range side.files {
			if !strings.HasSuffix(f.Name, ".go") {
				continue
			}
			af, err := parser.ParseFile(fset, f.Name, f.Content, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				return fmt.Errorf("diffcheck: generated file does not parse: %v", err)
			}
			generated[side.importPath(f, af)] = true
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				imports[p] = true
			}
		}
	}
	var external []string
	for p := range imports {
		if !generated[p] {
			external = append(external, p)
		}
	}
	slices.Sort(external)
	_, err := loadDeps(external)
	return err
}

type sideFiles struct {
	files      []generate.File
	importPath func(generate.File, *ast.File) string
}

// depModuleDir writes the runtime module into the user cache, named by
// its content so a changed pin gets a new directory, and returns it.
// Concurrent processes each write a temporary copy and rename it.
func depModuleDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("diffcheck: no user cache directory (%v); set $XDG_CACHE_HOME or $HOME", err)
	}
	sum := sha256.Sum256(append(slices.Clone(depGoMod), depGoSum...))
	dir := filepath.Join(cache, "protolift", "diffcheck-mod-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("diffcheck: %v", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".diffcheck-mod-")
	if err != nil {
		return "", fmt.Errorf("diffcheck: %v", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), depGoMod, 0o644); err != nil {
		return "", fmt.Errorf("diffcheck: %v", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.sum"), depGoSum, 0o644); err != nil {
		return "", fmt.Errorf("diffcheck: %v", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "go.sum")); statErr != nil {
			return "", fmt.Errorf("diffcheck: creating %s: %v", dir, err)
		}
	}
	return dir, nil
}

// genPackage is one Go package of generator output.
type genPackage struct {
	Path  string // Go import path
	Files []*ast.File
	Names []string // output file names, parallel to Files
	Types *types.Package
}

// typeCheck parses the generated Go files, groups them into packages by
// their import path, and type-checks each in memory against the runtime.
func typeCheck(fset *token.FileSet, files []generate.File, importPathOf func(generate.File, *ast.File) string) (map[string]*genPackage, error) {
	pkgs := map[string]*genPackage{}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".go") {
			continue
		}
		af, err := parser.ParseFile(fset, f.Name, f.Content, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("diffcheck: generated file does not parse: %v", err)
		}
		ip := importPathOf(f, af)
		gp := pkgs[ip]
		if gp == nil {
			gp = &genPackage{Path: ip}
			pkgs[ip] = gp
		}
		gp.Files = append(gp.Files, af)
		gp.Names = append(gp.Names, f.Name)
	}
	var external []string
	for _, gp := range pkgs {
		for _, af := range gp.Files {
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if _, gen := pkgs[p]; !gen && !slices.Contains(external, p) {
					external = append(external, p)
				}
			}
		}
	}
	slices.Sort(external)
	deps, err := loadDeps(external)
	if err != nil {
		return nil, err
	}
	var checking []string
	var check func(gp *genPackage) error
	imp := importerFunc(func(p string) (*types.Package, error) {
		if gp, ok := pkgs[p]; ok {
			if gp.Types == nil {
				if err := check(gp); err != nil {
					return nil, err
				}
			}
			return gp.Types, nil
		}
		if tp, ok := deps[p]; ok {
			return tp, nil
		}
		return nil, fmt.Errorf("package %s not found", p)
	})
	check = func(gp *genPackage) error {
		if slices.Contains(checking, gp.Path) {
			return fmt.Errorf("import cycle through %s", strings.Join(append(checking, gp.Path), " → "))
		}
		checking = append(checking, gp.Path)
		defer func() { checking = checking[:len(checking)-1] }()
		var errs []error
		// The API is in the declarations; bodies only cost time.
		conf := types.Config{Importer: imp, IgnoreFuncBodies: true, Error: func(err error) { errs = append(errs, err) }}
		tp, _ := conf.Check(gp.Path, fset, gp.Files, nil)
		if len(errs) > 0 {
			if len(errs) > 10 {
				errs = append(errs[:10], fmt.Errorf("and %d more errors", len(errs)-10))
			}
			return fmt.Errorf("diffcheck: generated package %s does not type-check:\n%w", gp.Path, errors.Join(errs...))
		}
		gp.Types = tp
		return nil
	}
	for _, ip := range sortedKeys(pkgs) {
		if pkgs[ip].Types == nil {
			if err := check(pkgs[ip]); err != nil {
				return nil, err
			}
		}
	}
	return pkgs, nil
}

type importerFunc func(string) (*types.Package, error)

func (f importerFunc) Import(p string) (*types.Package, error) { return f(p) }

// sourceOf reads the `// source: x.proto` line every generator writes.
func sourceOf(af *ast.File) string {
	for _, cg := range af.Comments {
		if cg.Pos() > af.Package {
			break
		}
		for _, c := range cg.List {
			if s, ok := strings.CutPrefix(c.Text, "// source: "); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// goImportPath is the import path part of a go_package option.
func goImportPath(goPackage string) string {
	p, _, _ := strings.Cut(goPackage, ";")
	return p
}

// outputDirPath is the fallback import path: the output file's directory,
// which is the import path under the default paths=import.
func outputDirPath(name string) string {
	return path.Dir(filepath.ToSlash(name))
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
