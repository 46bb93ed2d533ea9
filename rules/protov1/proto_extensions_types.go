package protov1

// This file finds the Go types of an extension for protov1.proto.extensions
// (proto_extensions.go): the type a SetExtension value must have and the
// message type it extends, read from the extension variable's declaration
// in generated code (`E_X = &proto.ExtensionDesc{ExtensionType:
// (*string)(nil), …}` from protoc-gen-go <= 1.3, `E_X =
// &file_x_proto_extTypes[0]` with the literal in that slice from later
// versions). A variable declared in another package is read from its
// source file, found through the position export data records.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strconv"
	"sync"

	"github.com/dave/dst"
)

// extTypes are an extension's v1 value type (ExtensionType: *T for a
// scalar or enum, *M for a message, []T for a repeated field) and the
// message type it extends (ExtendedType).
type extTypes struct {
	value, extended types.Type
}

// v2Value is the Go type APIv2 takes for the extension: scalars and enums
// by value, everything else as in v1.
func (e extTypes) v2Value() types.Type {
	if ptr, ok := e.value.(*types.Pointer); ok && scalarKind(ptr.Elem()) {
		return ptr.Elem()
	}
	return e.value
}

// extensionTypes returns the types of the extension xt denotes, or false
// when xt is not a package-level extension variable whose declaration
// can be read.
func (x *extPass) extensionTypes(xt dst.Expr) (extTypes, bool) {
	var id *dst.Ident
	switch e := unparen(xt).(type) {
	case *dst.Ident:
		id = e
	case *dst.SelectorExpr:
		id = e.Sel
	default:
		return extTypes{}, false
	}
	v, ok := x.ObjectOf(id).(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return extTypes{}, false
	}
	f := x.declFile(v)
	if f == nil {
		return extTypes{}, false
	}
	lit := extensionLiteral(f, v.Name())
	if lit == nil {
		return extTypes{}, false
	}
	var out extTypes
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		conv, ok := kv.Value.(*ast.CallExpr) // (*T)(nil)
		if key == nil || !ok || len(conv.Args) != 1 {
			continue
		}
		t := x.resolveType(f, v.Pkg(), conv.Fun)
		switch key.Name {
		case "ExtensionType":
			out.value = t
		case "ExtendedType":
			out.extended = t
		}
	}
	return out, out.value != nil && out.extended != nil
}

var parsedDecls sync.Map // file name → *ast.File (or nil)

// declFile returns the syntax of the file declaring v: from the package
// being rewritten, or parsed from disk for a dependency.
func (x *extPass) declFile(v *types.Var) *ast.File {
	name := x.Fset.Position(v.Pos()).Filename
	if name == "" {
		return nil
	}
	if v.Pkg() == x.Pkg.Types {
		for _, f := range x.Pkg.Syntax {
			if x.Fset.Position(f.Pos()).Filename == name {
				return f
			}
		}
		return nil
	}
	if f, ok := parsedDecls.Load(name); ok {
		f, _ := f.(*ast.File)
		return f
	}
	var f *ast.File
	if src, err := os.ReadFile(name); err == nil {
		f, _ = parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	}
	parsedDecls.Store(name, f)
	return f
}

// extensionLiteral finds the composite literal describing the extension
// variable name in f: its own `&T{…}`, or the element of the slice an
// `&xs[i]` points to.
func extensionLiteral(f *ast.File, name string) *ast.CompositeLit {
	value := func(name string) ast.Expr {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if n.Name == name && i < len(vs.Values) {
						return vs.Values[i]
					}
				}
			}
		}
		return nil
	}
	u, ok := value(name).(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return nil
	}
	switch e := u.X.(type) {
	case *ast.CompositeLit:
		return e
	case *ast.IndexExpr:
		slice, ok := e.X.(*ast.Ident)
		idx, ok2 := e.Index.(*ast.BasicLit)
		if !ok || !ok2 || idx.Kind != token.INT {
			return nil
		}
		i, err := strconv.Atoi(idx.Value)
		lit, ok := value(slice.Name).(*ast.CompositeLit)
		if err != nil || !ok || i >= len(lit.Elts) {
			return nil
		}
		el, _ := lit.Elts[i].(*ast.CompositeLit)
		return el
	}
	return nil
}

// resolveType turns the type expression e of file f of package pkg into
// a type: predeclared names, names of pkg, names qualified by one of f's
// imports, and pointers, slices and parentheses of those.
func (x *extPass) resolveType(f *ast.File, pkg *types.Package, e ast.Expr) types.Type {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return x.resolveType(f, pkg, e.X)
	case *ast.StarExpr:
		if t := x.resolveType(f, pkg, e.X); t != nil {
			return types.NewPointer(t)
		}
	case *ast.ArrayType:
		if e.Len != nil {
			return nil
		}
		if t := x.resolveType(f, pkg, e.Elt); t != nil {
			return types.NewSlice(t)
		}
	case *ast.Ident:
		o := pkg.Scope().Lookup(e.Name)
		if o == nil {
			o = types.Universe.Lookup(e.Name)
		}
		if tn, ok := o.(*types.TypeName); ok {
			return tn.Type()
		}
	case *ast.SelectorExpr:
		q, ok := e.X.(*ast.Ident)
		if !ok {
			return nil
		}
		for _, is := range f.Imports {
			path, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				continue
			}
			imp := findPackage(x.Pkg.Types, pkg, path)
			if imp == nil {
				continue
			}
			name := imp.Name()
			if is.Name != nil {
				name = is.Name.Name
			}
			if name != q.Name {
				continue
			}
			if tn, ok := imp.Scope().Lookup(e.Sel.Name).(*types.TypeName); ok {
				return tn.Type()
			}
		}
	}
	return nil
}

// findPackage returns the package with the import path among the roots
// and the packages reachable from them through their imports, or nil.
func findPackage(from, pkg *types.Package, path string) *types.Package {
	seen := map[*types.Package]bool{}
	queue := []*types.Package{from, pkg}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		if q == nil || seen[q] {
			continue
		}
		seen[q] = true
		if q.Path() == path {
			return q
		}
		queue = append(queue, q.Imports()...)
	}
	return nil
}
