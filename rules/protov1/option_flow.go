package protov1

import (
	"github.com/dave/dst"
	"go/ast"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"
	"strings"

	"github.com/protolift/protolift/rule"
)

// Where an option struct's values may go (shared by protov1.jsonpb and
// protov1.proto.text). An option struct changes type in the whole
// package, so every value of it must stay inside places that change with
// it: variables, fields, parameters and results declared with the option
// type itself, and receivers of the calls the rules rewrite. A value that
// flows anywhere else — an interface (the user's `Marshaler` interface,
// `any`, fmt), a parameter or field of another type, a comparison — would
// stop compiling or change meaning, so it keeps the whole package on the
// old struct. A type defined on the struct (`type JSONPb jsonpb.Marshaler`)
// and exported variables, fields, parameters and results of the struct
// type are refused as well: changing them changes the package's exported
// API, which its importers (not being migrated with it) rely on.

// flowBlockers returns the uses of s's values and type in the package
// that the type change cannot carry.
func (s *optionStruct) flowBlockers(p *rule.Pass) []optionUse {
	info := p.Info()
	var out []optionUse
	isS := func(t types.Type) bool { return t != nil && rule.IsNamed(t, s.path(), s.name) }
	fileOf := func(pos token.Pos) string { return p.Fset.Position(pos).Filename }
	for _, f := range p.Pkg.Syntax {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			defer func() { stack = append(stack, n) }()
			switch n := n.(type) {
			case *ast.TypeSpec:
				if why := s.typeDef(info, n); why != "" {
					out = append(out, optionUse{fileOf(n.Pos()), n.Pos(), why})
				}
			case *ast.TypeAssertExpr:
				if n.Type != nil && isS(info.TypeOf(n.Type)) {
					out = append(out, optionUse{fileOf(n.Pos()), n.Pos(), "type assertion to " + s.qual() + ": the value comes from an interface protolift cannot follow"})
				}
			case *ast.CaseClause:
				for _, e := range n.List {
					if tv, ok := info.Types[e]; ok && tv.IsType() && isS(tv.Type) {
						out = append(out, optionUse{fileOf(e.Pos()), e.Pos(), "type switch case " + s.qual() + ": the value comes from an interface protolift cannot follow"})
					}
				}
			case ast.Expr:
				tv, ok := info.Types[n]
				if !ok || !tv.IsValue() || !isS(tv.Type) || len(stack) == 0 {
					return true
				}
				if why := s.valueUse(p.Pkg.Types, info, n, tv.Type, stack); why != "" {
					out = append(out, optionUse{fileOf(n.Pos()), n.Pos(), why})
				}
			}
			return true
		})
	}
	return append(out, s.apiBlockers(p)...)
}

// valueUse returns why the value e (of type t, the struct or a pointer to
// it) cannot change type where it is used, or "".
func (s *optionStruct) valueUse(pkg *types.Package, info *types.Info, e ast.Expr, t types.Type, stack []ast.Node) string {
	parent := stack[len(stack)-1]
	into := func(target types.Type, where string) string {
		if target == nil || types.Identical(target, t) {
			return ""
		}
		what := types.TypeString(target, shortQual(pkg))
		if types.IsInterface(target) {
			what += " (an interface)"
		}
		return s.qual() + " value " + where + " as " + what + ": " + s.v2qual() + " has other methods and fields, so it would not fit there"
	}
	switch par := parent.(type) {
	case *ast.ParenExpr, *ast.SelectorExpr, *ast.StarExpr, *ast.ExprStmt:
		return ""
	case *ast.UnaryExpr:
		if par.Op == token.AND {
			return ""
		}
	case *ast.CallExpr:
		if par.Fun == e {
			return ""
		}
		if fn, _ := typeutil.Callee(info, par).(*types.Func); fn != nil && fn.Pkg() != nil && fn.Pkg() != pkg && fn.Pkg().Path() != s.path() {
			return "" // blockers reports values handed to other packages
		}
		ft := info.Types[par.Fun]
		if ft.IsType() {
			return into(ft.Type, "converted")
		}
		sig, _ := types.Unalias(ft.Type).(*types.Signature)
		if sig == nil {
			return s.qual() + " value passed to a call protolift cannot type"
		}
		for i, a := range par.Args {
			if a != e {
				continue
			}
			params := sig.Params()
			var pt types.Type
			switch {
			case sig.Variadic() && i >= params.Len()-1 && !par.Ellipsis.IsValid():
				pt = params.At(params.Len() - 1).Type().(*types.Slice).Elem()
			case i < params.Len():
				pt = params.At(i).Type()
			}
			if pt == nil {
				return ""
			}
			return into(pt, "passed to "+types.ExprString(par.Fun))
		}
		return ""
	case *ast.AssignStmt:
		for i, r := range par.Rhs {
			if r == e && len(par.Lhs) == len(par.Rhs) {
				if id, ok := par.Lhs[i].(*ast.Ident); ok && id.Name == "_" {
					return ""
				}
				return into(info.TypeOf(par.Lhs[i]), "assigned")
			}
		}
		return ""
	case *ast.ValueSpec:
		if par.Type == nil {
			return ""
		}
		return into(info.TypeOf(par.Type), "declared")
	case *ast.ReturnStmt:
		var sig *types.Signature
		for k := len(stack) - 1; k >= 0 && sig == nil; k-- {
			switch fn := stack[k].(type) {
			case *ast.FuncLit:
				sig, _ = info.TypeOf(fn).(*types.Signature)
			case *ast.FuncDecl:
				if o := info.Defs[fn.Name]; o != nil {
					sig, _ = o.Type().(*types.Signature)
				}
			}
		}
		if sig == nil || sig.Results().Len() != len(par.Results) {
			return ""
		}
		for i, r := range par.Results {
			if r == e {
				return into(sig.Results().At(i).Type(), "returned")
			}
		}
		return ""
	case *ast.KeyValueExpr:
		if par.Key == e || len(stack) < 2 {
			return ""
		}
		lit, _ := stack[len(stack)-2].(*ast.CompositeLit)
		if lit == nil {
			return ""
		}
		return into(elemType(info.TypeOf(lit), par.Key), "stored")
	case *ast.CompositeLit:
		for i, el := range par.Elts {
			if el != e {
				continue
			}
			if st, ok := types.Unalias(deref(info.TypeOf(par))).Underlying().(*types.Struct); ok {
				if i < st.NumFields() {
					return into(st.Field(i).Type(), "stored")
				}
				return ""
			}
			return into(elemType(info.TypeOf(par), nil), "stored")
		}
		return ""
	case *ast.SendStmt:
		if par.Value == e {
			if ch, ok := info.TypeOf(par.Chan).Underlying().(*types.Chan); ok {
				return into(ch.Elem(), "sent")
			}
		}
		return ""
	case *ast.IndexExpr:
		if par.Index == e {
			if m, ok := info.TypeOf(par.X).Underlying().(*types.Map); ok {
				return into(m.Key(), "used as a map key")
			}
		}
		return ""
	case *ast.BinaryExpr:
		other := par.X
		if other == e {
			other = par.Y
		}
		if tv, ok := info.Types[other]; ok && tv.IsNil() {
			return ""
		}
		return s.qual() + " value compared with " + par.Op.String() + ": protolift does not change comparisons"
	case *ast.RangeStmt, *ast.IncDecStmt:
		return ""
	}
	return s.qual() + " value used where protolift cannot follow it"
}

// shortQual prints other packages' types by package name, this
// package's unqualified.
func shortQual(pkg *types.Package) types.Qualifier {
	return func(o *types.Package) string {
		if o == pkg {
			return ""
		}
		return o.Name()
	}
}

// v2qual is the name of the struct's APIv2 counterpart.
func (s *optionStruct) v2qual() string {
	switch s.name {
	case "Marshaler":
		return "protojson.MarshalOptions"
	case "Unmarshaler":
		return "protojson.UnmarshalOptions"
	}
	return "prototext.MarshalOptions"
}

// elemType is the type a composite literal of type t stores under key.
func elemType(t types.Type, key ast.Expr) types.Type {
	switch u := types.Unalias(deref(t)).Underlying().(type) {
	case *types.Slice:
		return u.Elem()
	case *types.Array:
		return u.Elem()
	case *types.Map:
		return u.Elem()
	case *types.Struct:
		if id, ok := key.(*ast.Ident); ok {
			for i := 0; i < u.NumFields(); i++ {
				if u.Field(i).Name() == id.Name {
					return u.Field(i).Type()
				}
			}
		}
	}
	return nil
}

func deref(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// typeDef returns why the type declaration n, which defines a type on the
// option struct, cannot follow it, or "".
func (s *optionStruct) typeDef(info *types.Info, n *ast.TypeSpec) string {
	tn, _ := info.Defs[n.Name].(*types.TypeName)
	if tn == nil {
		return ""
	}
	target := info.TypeOf(n.Type)
	if target == nil || !rule.IsNamed(target, s.path(), s.name) {
		return ""
	}
	if tn.Exported() && tn.Parent() == tn.Pkg().Scope() && !strings.HasSuffix(tn.Pkg().Name(), "_test") && tn.Pkg().Name() != "main" {
		return "type " + tn.Name() + " is defined on " + s.qual() + ": changing it changes the package's exported API (its importers' " + tn.Name() + "{…} literals, fields and method calls would stop compiling)"
	}
	if tn.IsAlias() {
		return ""
	}
	return "type " + tn.Name() + " is defined on " + s.qual() + ": its literals, fields and method calls would not follow the new type"
}

// apiBlockers reports the package's exported variables, functions,
// methods and struct fields whose type mentions the option struct.
func (s *optionStruct) apiBlockers(p *rule.Pass) []optionUse {
	pkg := p.Pkg.Types
	if pkg == nil || pkg.Name() == "main" || strings.HasSuffix(pkg.Name(), "_test") {
		return nil
	}
	var out []optionUse
	add := func(o types.Object, what string) {
		pos := p.Fset.Position(o.Pos())
		if strings.HasSuffix(pos.Filename, "_test.go") {
			return
		}
		if !strings.HasSuffix(what, ".") {
			what += " "
		}
		out = append(out, optionUse{pos.Filename, o.Pos(), what + o.Name() + " has type " + types.TypeString(o.Type(), shortQual(pkg)) + ": changing it changes the package's exported API"})
	}
	sc := pkg.Scope()
	for _, name := range sc.Names() {
		o := sc.Lookup(name)
		if !o.Exported() {
			continue
		}
		switch o := o.(type) {
		case *types.Var:
			if s.mentions(o.Type()) {
				add(o, "exported variable")
			}
		case *types.Func:
			if s.mentions(o.Type()) {
				add(o, "exported function")
			}
		case *types.TypeName:
			if o.IsAlias() {
				continue
			}
			named, _ := o.Type().(*types.Named)
			if named == nil {
				continue
			}
			for i := 0; i < named.NumMethods(); i++ {
				if m := named.Method(i); m.Exported() && s.mentions(m.Type()) {
					add(m, "exported method "+o.Name()+".")
				}
			}
			switch u := named.Underlying().(type) {
			case *types.Struct:
				for i := 0; i < u.NumFields(); i++ {
					if f := u.Field(i); f.Exported() && !f.Embedded() && s.mentions(f.Type()) {
						add(f, "exported field "+o.Name()+".")
					}
				}
			case *types.Interface:
				for i := 0; i < u.NumExplicitMethods(); i++ {
					if m := u.ExplicitMethod(i); m.Exported() && s.mentions(m.Type()) {
						add(m, "exported method "+o.Name()+".")
					}
				}
			case *types.Signature:
				if s.mentions(u) {
					add(o, "exported function type")
				}
			}
		}
	}
	return out
}

// mentions reports whether t is built from the option struct (pointers,
// containers, signatures and anonymous structs; other named types are
// looked at on their own).
func (s *optionStruct) mentions(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if rule.IsNamed(t, s.path(), s.name) {
			return true
		}
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				if s.mentions(args.At(i)) {
					return true
				}
			}
		}
	case *types.Pointer:
		return s.mentions(t.Elem())
	case *types.Slice:
		return s.mentions(t.Elem())
	case *types.Array:
		return s.mentions(t.Elem())
	case *types.Chan:
		return s.mentions(t.Elem())
	case *types.Map:
		return s.mentions(t.Key()) || s.mentions(t.Elem())
	case *types.Signature:
		return s.mentions(t.Params()) || s.mentions(t.Results())
	case *types.Tuple:
		for i := 0; i < t.Len(); i++ {
			if s.mentions(t.At(i).Type()) {
				return true
			}
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if s.mentions(t.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// unrewritableCall finds, in any file of the package, calls of the option
// struct's methods that the rule would refuse (see plan), because the
// struct can only change type if every method call changes with it.
func unrewritableCall(p *rule.Pass, typ string) func(string, ast.Node) (token.Pos, string, bool) {
	return func(_ string, n ast.Node) (token.Pos, string, bool) {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return token.NoPos, "", false
		}
		f, _ := typeutil.Callee(p.Info(), c).(*types.Func)
		if f == nil || !rule.IsMethod(f, v1Jsonpb, typ, f.Name()) {
			return token.NoPos, "", false
		}
		// The message must not be a hand-written v1 message (handwritten.go).
		msgArg := map[string]int{"MarshalToString": 0, "Marshal": 1, "Unmarshal": 1, "UnmarshalNext": 1}
		if i, ok := msgArg[f.Name()]; ok && i < len(c.Args) {
			if m, ok := p.Dec.Dst.Nodes[c.Args[i]].(dst.Expr); ok {
				if why, _ := jsonTextRisk(p, m); why != "" {
					return c.Pos(), why + "; protojson would print it as {} and ignore its MarshalJSONPB/UnmarshalJSONPB methods", true
				}
			}
		}
		switch {
		case f.Name() == "MarshalToString" && len(c.Args) == 1:
			if why := refuseOutput(p, c, nil, "JSON"); why != "" {
				return c.Pos(), why, true
			}
		case f.Name() == "Marshal" && typ == "Marshaler" && len(c.Args) == 2:
			if why := refuseOutput(p, c, c.Args[0], "JSON"); why != "" {
				return c.Pos(), why, true
			}
		}
		if len(c.Args) != 2 {
			return token.NoPos, "", false
		}
		sel, _ := ast.Unparen(c.Fun).(*ast.SelectorExpr)
		switch f.Name() {
		case "Marshal":
			if !rule.SideEffectFreeAst(p.Fset, p.Info(), c.Args[0]) {
				return c.Pos(), "the writer expression of this Marshal call would be evaluated after marshalling; assign it to a variable first", true
			}
		case "Unmarshal", "UnmarshalNext":
			if !rule.SideEffectFreeAst(p.Fset, p.Info(), c.Args[1]) || (sel != nil && !rule.SideEffectFreeAst(p.Fset, p.Info(), sel.X)) {
				return c.Pos(), "the message or options expression of this call would be evaluated after reading the input; assign it to a variable first", true
			}
		}
		return token.NoPos, "", false
	}
}
