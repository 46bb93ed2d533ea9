package rule

import (
	"bytes"
	"errors"
	"go/ast"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/protows"
)

// Program is what a rule may know beyond the package it rewrites: the
// packages loaded together with it (test variants included) and the
// module they belong to. Rules that change a function's signature need
// every caller; the engine loads only the packages that need migrating,
// so Callers falls back on the module's source text for the rest.
type Program struct {
	Packages  []*packages.Package
	ModuleDir string
	Overlay   map[string][]byte
	// LoadGraph, when set, lists the module's packages (test variants
	// included) with everything they import, transitively: names, files
	// and imports, no types. Packages is only what needs migrating, so a
	// question about what the module's programs link (a main package that
	// imports nothing protolift migrates still links the packages it
	// imports) needs this graph. The engine sets it and loads the graph
	// once per run.
	LoadGraph func() ([]*packages.Package, error)

	once    sync.Once
	sources map[string][]byte // every .go file of the module not in Packages

	memoMu sync.Mutex
	memo   map[string]any
	cache  sync.Map // Cache's values, by key
}

// CallSite is one call of a function: its arguments and the types the
// calling package gave them.
type CallSite struct {
	Args  []ast.Expr
	Types []types.Type
}

// Callers returns every call of fn in the program, or false when fn may
// be used otherwise: as a value, through an interface (a method), from a
// file of the module the run did not load, or — for an exported function
// of a package other module may import — from outside the module.
// Functions are matched by their full name, so the calls of every
// variant of fn's package (its test variant re-type-checks it) count.
func (pr *Program) Callers(fn *types.Func) ([]CallSite, bool) {
	if pr == nil || fn.Pkg() == nil {
		return nil, false
	}
	sig := fn.Type().(*types.Signature)
	if fn.Exported() && importableOutside(fn.Pkg()) {
		return nil, false
	}
	if sig.Recv() != nil && fn.Exported() {
		return nil, false // may implement an interface of another package
	}
	full := fn.FullName()
	var calls []CallSite
	loaded := map[string]bool{}
	for _, pkg := range pr.Packages {
		for _, f := range pkg.CompiledGoFiles {
			loaded[f] = true
		}
		if pkg.TypesInfo == nil {
			return nil, false
		}
		called := map[*ast.Ident]bool{}
		for n := range pr.pkgAstInspector(pkg).PreorderSeq((*ast.CallExpr)(nil)) {
			c := n.(*ast.CallExpr)
			if c.Ellipsis.IsValid() {
				continue
			}
			var id *ast.Ident
			switch fun := ast.Unparen(c.Fun).(type) {
			case *ast.Ident:
				id = fun
			case *ast.SelectorExpr:
				id = fun.Sel
			}
			if id == nil {
				continue
			}
			if o, ok := pkg.TypesInfo.Uses[id].(*types.Func); ok && o.FullName() == full {
				called[id] = true
				call := CallSite{Args: c.Args}
				for _, a := range c.Args {
					call.Types = append(call.Types, pkg.TypesInfo.TypeOf(a))
				}
				calls = append(calls, call)
			}
		}
		for id, o := range pkg.TypesInfo.Uses {
			if f, ok := o.(*types.Func); ok && f.FullName() == full && !called[id] {
				return nil, false // a function or method value
			}
		}
		if sig.Recv() != nil && declaresInterfaceMethod(pkg.Types, fn.Name()) {
			return nil, false
		}
	}
	// Only the package's own files can call an unexported function.
	within := ""
	if !fn.Exported() && len(pr.Packages) > 0 {
		within = filepath.Dir(pr.Packages[0].Fset.Position(fn.Pos()).Filename)
	}
	if pr.mentionedOutside(fn.Name(), loaded, within) {
		return nil, false
	}
	return calls, true
}

// importableOutside reports whether another module may import pkg: it
// is not a command and not below an internal directory.
func importableOutside(pkg *types.Package) bool {
	if pkg.Name() == "main" {
		return false
	}
	p := pkg.Path()
	return !(strings.HasSuffix(p, "/internal") || strings.Contains(p, "/internal/") || strings.HasPrefix(p, "internal/"))
}

// declaresInterfaceMethod reports whether an interface type of pkg has a
// method called name (an unexported method can only implement those).
func declaresInterfaceMethod(pkg *types.Package, name string) bool {
	if pkg == nil {
		return true
	}
	scope := pkg.Scope()
	for _, n := range scope.Names() {
		if it, ok := scope.Lookup(n).Type().Underlying().(*types.Interface); ok {
			for i := 0; i < it.NumMethods(); i++ {
				if it.Method(i).Name() == name {
					return true
				}
			}
		}
	}
	return false
}

// mentionedOutside reports whether a .go file of the module (of
// directory dir, if not empty) that the program did not load spells name
// as a whole word.
func (pr *Program) mentionedOutside(name string, loaded map[string]bool, dir string) bool {
	pr.once.Do(func() {
		pr.sources = map[string][]byte{}
		files, err := protows.List(pr.ModuleDir, pr.Overlay, ".go")
		if err != nil {
			pr.sources = nil
			return
		}
		for _, f := range files {
			b, ok := pr.Overlay[f]
			if !ok {
				b, err = os.ReadFile(f)
				if err != nil {
					pr.sources = nil
					return
				}
			}
			pr.sources[f] = b
		}
	})
	if pr.sources == nil {
		return true // unknown: assume the worst
	}
	for f, b := range pr.sources {
		if !loaded[f] && (dir == "" || filepath.Dir(f) == dir) && containsWord(b, name) {
			return true
		}
	}
	return false
}

func containsWord(b []byte, w string) bool {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(w))
		if i < 0 {
			return false
		}
		at := off + i
		end := at + len(w)
		if (at == 0 || !isIdentByte(b[at-1])) && (end == len(b) || !isIdentByte(b[end])) {
			return true
		}
		off = end
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// Cache is Memo for facts computed inside a Memo function (Memo holds
// its lock while computing): no lock is held while f runs, so two
// callers may both compute the value, and the first stored wins.
func (pr *Program) Cache(key string, f func() any) any {
	if pr == nil {
		return f()
	}
	if v, ok := pr.cache.Load(key); ok {
		return v
	}
	v, _ := pr.cache.LoadOrStore(key, f())
	return v
}

// ImportGraph returns LoadGraph's packages, or an error when the program
// has none (a nil program, or one the engine did not make).
func (pr *Program) ImportGraph() ([]*packages.Package, error) {
	if pr == nil || pr.LoadGraph == nil {
		return nil, errNoGraph
	}
	return pr.LoadGraph()
}

var errNoGraph = errors.New("the module's import graph is unknown")

// Memo returns the value f computes for key, computing it once per
// program (nil programs compute it every time): for facts about the whole
// program that several files' rules ask for.
func (pr *Program) Memo(key string, f func() any) any {
	if pr == nil {
		return f()
	}
	pr.memoMu.Lock()
	defer pr.memoMu.Unlock()
	if v, ok := pr.memo[key]; ok {
		return v
	}
	if pr.memo == nil {
		pr.memo = map[string]any{}
	}
	v := f()
	pr.memo[key] = v
	return v
}
