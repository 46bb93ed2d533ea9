package protov1

import (
	"go/ast"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Shared machinery of the jsonpb, ptypes.any/duration and descriptor
// rules (v2 wrapping is proto_common.go's v2Arg; fresh local names are
// rule.Pass.Names): the err name, and the package-wide consistency check
// for jsonpb's option structs.

// errName returns "err" when declaring it with := right before the
// original statement at is sound (no err is visible there, or the
// visible one is an error), otherwise a fresh name.
func errName(p *rule.Pass, at dst.Node) string {
	a := p.Ast(at)
	if a != nil {
		if sc := p.Pkg.Types.Scope().Innermost(a.Pos()); sc != nil {
			_, obj := sc.LookupParent("err", a.Pos())
			if obj == nil || types.Identical(obj.Type(), types.Universe.Lookup("error").Type()) {
				if _, isVar := obj.(*types.Var); obj == nil || isVar {
					return "err"
				}
			}
		}
	}
	return p.Names().Fresh(at, "jerr")
}

// optionUse is one place in a package where a jsonpb option struct
// (Marshaler or Unmarshaler) is used in a way protolift cannot carry over
// to its protojson counterpart.
type optionUse struct {
	file   string
	pos    token.Pos
	reason string
}

// optionStruct describes a jsonpb struct that becomes a protojson options
// struct: the rule rewrites the type everywhere in a package or nowhere,
// because a half-migrated package does not compile.
type optionStruct struct {
	name    string            // jsonpb type name
	fields  map[string]string // field → protojson field ("" = not carried over)
	methods map[string]bool
	// pkgPath is the struct's package when it is not jsonpb.
	pkgPath string
	// litOK accepts fields without counterpart as literal keys: the
	// caller translates those literals itself.
	litOK bool
}

func (s *optionStruct) path() string {
	if s.pkgPath != "" {
		return s.pkgPath
	}
	return v1Jsonpb
}

// blockers scans every file of the package for uses of s that cannot be
// rewritten: fields without a protojson counterpart, unkeyed literals,
// embedding, method values, values handed to other packages, and uses in
// files that do not import jsonpb (the engine only rewrites files that
// import it).
func (s *optionStruct) blockers(p *rule.Pass, extra func(file string, n ast.Node) (token.Pos, string, bool)) []optionUse {
	info := p.Info()
	var out []optionUse
	isS := func(t types.Type) bool { return t != nil && rule.IsNamed(t, s.path(), s.name) }
	for k, f := range p.Pkg.Syntax {
		file := p.Pkg.CompiledGoFiles[k]
		imports := false
		for _, is := range f.Imports {
			if path, _ := strconv.Unquote(is.Path.Value); path == s.path() {
				imports = true
			}
		}
		add := func(pos token.Pos, why string) { out = append(out, optionUse{file, pos, why}) }
		called := map[ast.Expr]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				called[ast.Unparen(c.Fun)] = true
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			if extra != nil {
				if pos, why, bad := extra(file, n); bad {
					add(pos, why)
				}
			}
			switch n := n.(type) {
			case *ast.SelectorExpr:
				sel := info.Selections[n]
				if sel == nil || !isS(sel.Recv()) {
					return true
				}
				switch sel.Kind() {
				case types.FieldVal:
					if to, ok := s.fields[n.Sel.Name]; ok && to == "" {
						add(n.Pos(), s.qual()+"."+n.Sel.Name+" has no protojson counterpart with the same type")
					}
				case types.MethodVal, types.MethodExpr:
					if s.methods[n.Sel.Name] && !called[n] {
						add(n.Pos(), "method value "+n.Sel.Name+" of jsonpb."+s.name+": the protojson method has a different signature")
					}
				}
				if !imports {
					add(n.Pos(), "this file uses "+s.qual()+" without importing "+s.path()+", so protolift does not rewrite it; the package keeps the old type as a whole")
				}
			case *ast.CompositeLit:
				if !isS(info.TypeOf(n)) {
					return true
				}
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						add(n.Pos(), "unkeyed jsonpb."+s.name+" literal: field order differs in protojson")
						break
					}
					key, _ := kv.Key.(*ast.Ident)
					if key == nil {
						continue
					}
					if to, ok := s.fields[key.Name]; ok && to == "" && !s.litOK {
						add(kv.Pos(), s.qual()+"."+key.Name+" has no protojson counterpart with the same type")
					}
				}
			case *ast.StructType:
				for _, fl := range n.Fields.List {
					if len(fl.Names) == 0 && isS(info.TypeOf(fl.Type)) {
						add(fl.Pos(), "embedded "+s.qual()+": its promoted fields and methods change with the type (in an exported struct that changes the package's exported API)")
					}
				}
			case *ast.CallExpr:
				fn, _ := typeutil.Callee(info, n).(*types.Func)
				if fn == nil || fn.Pkg() == nil || fn.Pkg() == p.Pkg.Types || fn.Pkg().Path() == s.path() {
					return true
				}
				for _, a := range n.Args {
					if isS(info.TypeOf(a)) {
						add(a.Pos(), s.qual()+" value passed to "+fn.FullName()+", which is not being migrated with this package")
					}
				}
			}
			return true
		})
	}
	return append(out, s.flowBlockers(p)...)
}

// reportBlocked reports the blockers located in this file, and, when
// the only blockers are elsewhere in the package, each use of the struct
// in this file, so that every kept jsonpb use carries a reason.
func (s *optionStruct) reportBlocked(p *rule.Pass, uses []optionUse) {
	here := false
	for _, u := range uses {
		if u.file == p.Path {
			here = true
			p.ReportAst(&ast.Ident{NamePos: u.pos}, change.Manual, "not rewritten: "+u.reason, "")
		}
	}
	if here {
		return
	}
	first := uses[0]
	where := p.Fset.Position(first.pos)
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil)}, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Path == s.path() && id.Name == s.name {
			if _, isType := p.ObjectOf(id).(*types.TypeName); isType {
				p.Report(id, change.Manual, "not rewritten: jsonpb."+s.name+" is kept for the whole package because of "+where.String()+": "+first.reason, "")
			}
		}
		return true
	})
}

// retype rewrites the references to the struct type and its fields.
func (s *optionStruct) retype(p *rule.Pass, to string) {
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil), (*dst.SelectorExpr)(nil), (*dst.CompositeLit)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.Ident:
			if n.Path == s.path() && n.Name == s.name {
				// Nodes the call rewrites cloned have no type information;
				// a qualified jsonpb.Marshaler/Unmarshaler can only be the type.
				if obj := p.ObjectOf(n); obj == nil || isTypeName(obj) {
					p.Changed(n, change.Safe, s.qual()+" → protojson."+to)
					n.Path, n.Name = v2Protojson, to
					p.Require(protobufModule, minProtobuf)
				}
			}
		case *dst.SelectorExpr:
			if v, ok := p.ObjectOf(n.Sel).(*types.Var); ok && v.IsField() && v.Pkg() != nil && v.Pkg().Path() == v1Jsonpb {
				if nn, ok := s.fields[n.Sel.Name]; ok && nn != "" && nn != n.Sel.Name && s.owns(p, n.X) {
					p.Changed(n.Sel, change.Safe, s.qual()+"."+n.Sel.Name+" → protojson."+to+"."+nn)
					n.Sel.Name = nn
				}
			}
		case *dst.CompositeLit:
			id, _ := n.Type.(*dst.Ident)
			cloned := id != nil && id.Path == s.path() && id.Name == s.name
			if !cloned && !rule.IsNamed(p.TypeOf(n), s.path(), s.name) {
				return true
			}
			for _, e := range n.Elts {
				if kv, ok := e.(*dst.KeyValueExpr); ok {
					if key, ok := kv.Key.(*dst.Ident); ok {
						if nn := s.fields[key.Name]; nn != "" && nn != key.Name {
							p.Changed(key, change.Safe, s.qual()+"."+key.Name+" → protojson."+to+"."+nn)
							key.Name = nn
						}
					}
				}
			}
		}
		return true
	})
}

func isTypeName(o types.Object) bool {
	_, ok := o.(*types.TypeName)
	return ok
}

func (s *optionStruct) owns(p *rule.Pass, x dst.Expr) bool {
	return rule.IsNamed(p.TypeOf(x), s.path(), s.name)
}

func errorType() dst.Expr { return dst.NewIdent("error") }

// qual is the struct's qualified name as users write it.
func (s *optionStruct) qual() string {
	return s.path()[strings.LastIndex(s.path(), "/")+1:] + "." + s.name
}
