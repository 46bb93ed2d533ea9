package diffcheck

import (
	"go/constant"
	"go/types"
	"strings"
)

// Kinds of API items.
const (
	KindType   = "type"
	KindFunc   = "func"
	KindMethod = "method"
	KindField  = "field"
	KindConst  = "const"
	KindVar    = "var"
	KindFile   = "file"
)

// item is one element of a package's API as callers see it.
type item struct {
	Kind  string
	Name  string // "T", "F", "T.M", "T.F"
	Sig   string // printed type; aliases of the package resolved to their names
	Shape string // for types: interface, struct, func, basic, ...
	Alias string // for types declared as aliases: the target

	// Methods only.
	PtrRecv   bool
	Interface bool // the method belongs to an interface type
	Exported  bool
	Params    []types.Type // function and method parameter types, for widening checks
	Results   string
}

// apiModel is the API of one generated Go package.
type apiModel struct {
	Path  string
	Name  string
	Items map[string]*item // key: Kind + " " + Name
	Files []string
}

func key(kind, name string) string { return kind + " " + name }

// buildModel lists the package's exported declarations, every method of
// its exported types (unexported interface methods included: they decide
// who can implement the interface) and the exported fields of its
// exported structs.
func buildModel(gp *genPackage) *apiModel {
	pkg := gp.Types
	m := &apiModel{Path: gp.Path, Name: pkg.Name(), Items: map[string]*item{}, Files: gp.Names}
	pr := newPrinter(pkg)
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			m.add(&item{Kind: KindConst, Name: name, Sig: pr.str(obj.Type()) + " = " + constString(obj.Val())})
		case *types.Var:
			m.add(&item{Kind: KindVar, Name: name, Sig: pr.str(obj.Type())})
		case *types.Func:
			sig := obj.Type().(*types.Signature)
			m.add(&item{Kind: KindFunc, Name: name, Sig: pr.sig(sig), Params: paramTypes(sig), Results: pr.tuple(sig.Results())})
		case *types.TypeName:
			m.addType(pr, obj)
		}
	}
	return m
}

func (m *apiModel) add(it *item) { m.Items[key(it.Kind, it.Name)] = it }

func (m *apiModel) addType(pr *printer, obj *types.TypeName) {
	t := obj.Type()
	it := &item{Kind: KindType, Name: obj.Name(), Shape: shape(t)}
	if obj.IsAlias() {
		var b strings.Builder
		pr.write(&b, types.Unalias(t), true)
		it.Alias = b.String()
		it.Sig = "= " + it.Alias
	} else {
		it.Sig = it.Shape
	}
	m.add(it)
	under := types.Unalias(t).Underlying()
	if iface, ok := under.(*types.Interface); ok {
		for i := range iface.NumMethods() {
			fn := iface.Method(i)
			sig := fn.Type().(*types.Signature)
			m.add(&item{Kind: KindMethod, Name: obj.Name() + "." + fn.Name(), Sig: pr.sig(sig), Interface: true, Exported: fn.Exported(), Params: paramTypes(sig), Results: pr.tuple(sig.Results())})
		}
		return
	}
	// Pointer method sets hold every method; the receiver of each is
	// recorded so value→pointer receiver moves can be classified.
	ms := types.NewMethodSet(types.NewPointer(types.Unalias(t)))
	for i := range ms.Len() {
		fn := ms.At(i).Obj().(*types.Func)
		sig := fn.Type().(*types.Signature)
		ptr := false
		if recv := sig.Recv(); recv != nil {
			_, ptr = recv.Type().(*types.Pointer)
		}
		m.add(&item{Kind: KindMethod, Name: obj.Name() + "." + fn.Name(), Sig: pr.sig(sig), PtrRecv: ptr, Exported: fn.Exported(), Params: paramTypes(sig), Results: pr.tuple(sig.Results())})
	}
	if st, ok := under.(*types.Struct); ok {
		for i := range st.NumFields() {
			f := st.Field(i)
			if !f.Exported() {
				continue
			}
			m.add(&item{Kind: KindField, Name: obj.Name() + "." + f.Name(), Sig: pr.str(f.Type())})
		}
	}
}

func paramTypes(sig *types.Signature) []types.Type {
	var out []types.Type
	for i := range sig.Params().Len() {
		out = append(out, sig.Params().At(i).Type())
	}
	return out
}

func constString(v constant.Value) string {
	return v.ExactString()
}

func shape(t types.Type) string {
	switch u := types.Unalias(t).Underlying().(type) {
	case *types.Interface:
		return "interface"
	case *types.Struct:
		return "struct"
	case *types.Signature:
		return "func"
	case *types.Basic:
		return u.Name()
	case *types.Map:
		return "map"
	case *types.Slice:
		return "slice"
	case *types.Pointer:
		return "pointer"
	default:
		return "other"
	}
}

// printer prints types so the two sides compare as text: names of the
// generated package unqualified, other packages by name, aliases from
// other packages resolved (golang/protobuf's ptypes aliases and
// protobuf-go's well-known types are the same type), and any type the
// generated package itself names through an alias printed as that alias
// (protoc-gen-go-grpc's X_MClient = grpc.ServerStreamingClient[M]).
type printer struct {
	pkg     *types.Package
	aliases []*types.TypeName
}

func newPrinter(pkg *types.Package) *printer {
	pr := &printer{pkg: pkg}
	for _, name := range pkg.Scope().Names() {
		if tn, ok := pkg.Scope().Lookup(name).(*types.TypeName); ok && tn.IsAlias() && tn.Exported() {
			pr.aliases = append(pr.aliases, tn)
		}
	}
	return pr
}

func (pr *printer) str(t types.Type) string {
	var b strings.Builder
	pr.write(&b, t, false)
	return b.String()
}

func (pr *printer) sig(sig *types.Signature) string {
	var b strings.Builder
	b.WriteString("func")
	pr.writeSig(&b, sig)
	return b.String()
}

func (pr *printer) tuple(t *types.Tuple) string {
	var b strings.Builder
	pr.writeTuple(&b, t, false)
	return b.String()
}

// write prints t; noSubst stops t itself (not its parts) from being
// printed as the alias that names it, for printing that alias's target.
func (pr *printer) write(b *strings.Builder, t types.Type, noSubst bool) {
	for _, a := range pr.aliases {
		if noSubst {
			break
		}
		if types.Identical(types.Unalias(a.Type()), types.Unalias(t)) && !isNamedIn(t, pr.pkg) {
			if _, isBasic := types.Unalias(t).(*types.Basic); !isBasic {
				b.WriteString(a.Name())
				return
			}
		}
	}
	switch t := t.(type) {
	case *types.Alias:
		if t.Obj().Pkg() == pr.pkg {
			b.WriteString(t.Obj().Name())
			return
		}
		pr.write(b, types.Unalias(t), noSubst)
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() != nil && obj.Pkg() != pr.pkg {
			b.WriteString(obj.Pkg().Name() + ".")
		}
		b.WriteString(obj.Name())
		if args := t.TypeArgs(); args != nil && args.Len() > 0 {
			b.WriteString("[")
			for i := range args.Len() {
				if i > 0 {
					b.WriteString(", ")
				}
				pr.write(b, args.At(i), false)
			}
			b.WriteString("]")
		}
	case *types.Pointer:
		b.WriteString("*")
		pr.write(b, t.Elem(), false)
	case *types.Slice:
		b.WriteString("[]")
		pr.write(b, t.Elem(), false)
	case *types.Array:
		b.WriteString("[" + itoa(t.Len()) + "]")
		pr.write(b, t.Elem(), false)
	case *types.Map:
		b.WriteString("map[")
		pr.write(b, t.Key(), false)
		b.WriteString("]")
		pr.write(b, t.Elem(), false)
	case *types.Chan:
		b.WriteString(types.TypeString(t, pr.qualify))
	case *types.Signature:
		b.WriteString("func")
		pr.writeSig(b, t)
	default:
		b.WriteString(types.TypeString(t, pr.qualify))
	}
}

func (pr *printer) qualify(p *types.Package) string {
	if p == pr.pkg {
		return ""
	}
	return p.Name()
}

// writeSig prints parameter and result types without names: renaming a
// parameter changes nothing for callers.
func (pr *printer) writeSig(b *strings.Builder, sig *types.Signature) {
	pr.writeTuple(b, sig.Params(), sig.Variadic())
	if sig.Results().Len() > 0 {
		b.WriteString(" ")
		res := pr.tuple(sig.Results())
		if sig.Results().Len() == 1 {
			res = strings.TrimSuffix(strings.TrimPrefix(res, "("), ")")
		}
		b.WriteString(res)
	}
}

func (pr *printer) writeTuple(b *strings.Builder, t *types.Tuple, variadic bool) {
	b.WriteString("(")
	for i := range t.Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		typ := t.At(i).Type()
		if variadic && i == t.Len()-1 {
			b.WriteString("...")
			typ = typ.(*types.Slice).Elem()
		}
		pr.write(b, typ, false)
	}
	b.WriteString(")")
}

func isNamedIn(t types.Type, pkg *types.Package) bool {
	switch t := t.(type) {
	case *types.Named:
		return t.Obj().Pkg() == pkg
	case *types.Alias:
		return t.Obj().Pkg() == pkg
	}
	return false
}

func itoa(n int64) string {
	return constant.MakeInt64(n).String()
}
