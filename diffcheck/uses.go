package diffcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// crossReference loads the user's module (with tests) and attaches to each
// breaking change the places that depend on it. Only packages importing a
// changed generated package are inspected.
func crossReference(moduleDir string, overlay map[string][]byte, changes []Change) error {
	changed := map[string]bool{}
	for _, c := range changes {
		if c.Breaking {
			changed[c.Package] = true
		}
	}
	if len(changed) == 0 {
		return nil
	}
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:     moduleDir,
		Tests:   true,
		Overlay: overlay,
		Env:     append(os.Environ(), "GOWORK=off"),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return fmt.Errorf("diffcheck: loading module %s to find uses: %v", moduleDir, err)
	}
	idx := map[string]int{}
	for i, c := range changes {
		if c.Breaking {
			idx[c.Package+"\x00"+c.Name] = i
		}
	}
	seen := map[string]bool{}
	record := func(fset *token.FileSet, pos token.Pos, pkgPath, name string, breaks bool, note string) {
		i, ok := idx[pkgPath+"\x00"+name]
		if !ok {
			return
		}
		p := fset.Position(pos)
		file := p.Filename
		if rel, err := filepath.Rel(moduleDir, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = filepath.ToSlash(rel)
		}
		at := fmt.Sprintf("%s:%d:%d", file, p.Line, p.Column)
		k := fmt.Sprint(i, at)
		if seen[k] {
			return
		}
		seen[k] = true
		changes[i].Uses = append(changes[i].Uses, Use{Pos: at, Breaks: breaks, Note: note})
	}
	for _, p := range pkgs {
		if p.TypesInfo == nil || !importsAny(p, changed) {
			continue
		}
		scanPackage(p, changed, changes, record)
	}
	for i := range changes {
		slices.SortFunc(changes[i].Uses, func(a, b Use) int { return strings.Compare(a.Pos, b.Pos) })
	}
	return nil
}

func importsAny(p *packages.Package, paths map[string]bool) bool {
	for ip := range p.Imports {
		if paths[ip] {
			return true
		}
	}
	return false
}

type recorder func(fset *token.FileSet, pos token.Pos, pkgPath, name string, breaks bool, note string)

func scanPackage(p *packages.Package, changed map[string]bool, changes []Change, record recorder) {
	info := p.TypesInfo
	calls := map[*ast.Ident]bool{}
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				switch fn := ast.Unparen(n.Fun).(type) {
				case *ast.Ident:
					calls[fn] = true
				case *ast.SelectorExpr:
					calls[fn.Sel] = true
				}
			case *ast.SelectorExpr:
				sel := info.Selections[n]
				if sel == nil {
					return true
				}
				if tn := namedIn(sel.Recv(), changed); tn != nil {
					record(p.Fset, n.Sel.Pos(), tn.Pkg().Path(), tn.Name()+"."+n.Sel.Name, true, "")
				}
			case *ast.CompositeLit:
				tv, ok := info.Types[n]
				if !ok {
					return true
				}
				tn := namedIn(tv.Type, changed)
				if tn == nil {
					return true
				}
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if id, ok := kv.Key.(*ast.Ident); ok {
							record(p.Fset, id.Pos(), tn.Pkg().Path(), tn.Name()+"."+id.Name, true, "")
						}
					}
				}
			}
			return true
		})
	}
	for id, obj := range info.Uses {
		if obj.Pkg() == nil || !changed[obj.Pkg().Path()] || obj.Parent() != obj.Pkg().Scope() {
			continue
		}
		_, isFunc := obj.(*types.Func)
		if isFunc && calls[id] {
			record(p.Fset, id.Pos(), obj.Pkg().Path(), obj.Name(), !onlyWidened(changes, obj), "call")
			continue
		}
		record(p.Fset, id.Pos(), obj.Pkg().Path(), obj.Name(), true, "")
	}
	implementers(p, changed, changes, record)
}

// onlyWidened reports whether the func's change keeps calls compiling.
func onlyWidened(changes []Change, obj types.Object) bool {
	for _, c := range changes {
		if c.Package == obj.Pkg().Path() && c.Name == obj.Name() && c.Kind == KindFunc {
			return strings.HasPrefix(c.Reason, "only parameters widened")
		}
	}
	return false
}

// implementers finds the module's own types that implement a generated
// interface which gains a method, and do not embed the generated
// Unimplemented/Unsafe type that would supply it.
func implementers(p *packages.Package, changed map[string]bool, changes []Change, record recorder) {
	type target struct {
		pkg, iface, method string
		typ                *types.Interface
	}
	var targets []target
	for _, c := range changes {
		if !c.Breaking || c.Kind != KindMethod || c.Op != Added {
			continue
		}
		ifaceName, method, _ := strings.Cut(c.Name, ".")
		imp := p.Imports[c.Package]
		if imp == nil || imp.Types == nil {
			continue
		}
		tn, ok := imp.Types.Scope().Lookup(ifaceName).(*types.TypeName)
		if !ok {
			continue
		}
		it, ok := tn.Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		targets = append(targets, target{c.Package, ifaceName, method, it})
	}
	if len(targets) == 0 {
		return
	}
	for _, def := range p.TypesInfo.Defs {
		tn, ok := def.(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		if _, isIface := tn.Type().Underlying().(*types.Interface); isIface {
			continue
		}
		for _, t := range targets {
			if !types.Implements(tn.Type(), t.typ) && !types.Implements(types.NewPointer(tn.Type()), t.typ) {
				continue
			}
			if embeds(tn.Type(), t.pkg, "Unimplemented"+t.iface, "Unsafe"+t.iface) {
				continue
			}
			record(p.Fset, tn.Pos(), t.pkg, t.iface+"."+t.method, true, fmt.Sprintf("%s implements %s without embedding Unimplemented%s", tn.Name(), t.iface, t.iface))
		}
	}
}

// embeds reports whether t's struct embeds, at any depth, one of the
// named types of package pkg (by value or pointer).
func embeds(t types.Type, pkg string, names ...string) bool {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) bool
	walk = func(t types.Type) bool {
		if ptr, ok := t.(*types.Pointer); ok {
			t = ptr.Elem()
		}
		if seen[t] {
			return false
		}
		seen[t] = true
		st, ok := t.Underlying().(*types.Struct)
		if !ok {
			return false
		}
		for i := range st.NumFields() {
			f := st.Field(i)
			if !f.Embedded() {
				continue
			}
			ft := types.Unalias(f.Type())
			if ptr, ok := ft.(*types.Pointer); ok {
				ft = types.Unalias(ptr.Elem())
			}
			if n, ok := ft.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && slices.Contains(names, n.Obj().Name()) {
				return true
			}
			if walk(f.Type()) {
				return true
			}
		}
		return false
	}
	return walk(t)
}

// namedIn returns the named type (through pointers and aliases) declared
// in one of the changed packages.
func namedIn(t types.Type, pkgs map[string]bool) *types.TypeName {
	t = types.Unalias(t)
	if ptr, ok := t.(*types.Pointer); ok {
		t = types.Unalias(ptr.Elem())
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !pkgs[n.Obj().Pkg().Path()] {
		return nil
	}
	return n.Obj()
}
