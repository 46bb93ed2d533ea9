package grpcserver

import (
	"go/ast"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Unimplemented makes hand-written server types satisfy the XServer
// interfaces protoc-gen-go-grpc generates (spec D.3 rows "Server
// interface" and "Unimplemented receivers"). Risk: safe.
//
// Such an interface carries the unexported method
// mustEmbedUnimplementedXServer, which a type outside the generated
// package can only get by embedding. For every named type declared in
// hand-written code that implements all of the service's RPC methods, or
// is passed to RegisterXServer, and lacks the method, the rule adds as
// the first field, following the rule option grpc.server:
//
//	embed (default)  pb.UnimplementedXServer, by value: a nil
//	                 *UnimplementedXServer panics in RegisterXServer
//	                 (protoc-gen-go-grpc ≥ v1.5.1 calls testEmbeddedByValue)
//	unsafe           pb.UnsafeXServer, the generated interface that only
//	                 holds mustEmbedUnimplementedXServer: it opts out of
//	                 forward compatibility, so an RPC added to the service
//	                 later is a compile error instead of an Unimplemented
//	                 answer. The field is a nil interface and nothing ever
//	                 calls its method. (An assertion such as
//	                 `var _ pb.UnsafeXServer = (*T)(nil)` cannot work: no
//	                 type outside the package can declare the method.)
//	keep             nothing; the generation stage passes
//	                 require_unimplemented_servers=false instead.
//
// The type already implements every RPC, so what it serves is unchanged.
// Reported instead: types that get an RPC method through another embedded
// type (the new embedding would make it ambiguous or hide it), non-struct
// types, and types embedding *UnimplementedXServer (the nil pointer panics
// at registration).
var Unimplemented = &rule.Rule{
	Name:    "grpc.server.unimplemented",
	Doc:     "hand-written gRPC servers embed UnimplementedXServer by value (or UnsafeXServer) for protoc-gen-go-grpc",
	Risk:    change.Safe,
	Imports: []string{rule.GRPCGenerated},
	Repairs: []string{`missing method mustEmbedUnimplemented\w+Server`},
	Run:     runUnimplemented,
}

func runUnimplemented(p *rule.Pass) {
	mode := p.Option("grpc.server")
	switch mode {
	case "", "embed", "unsafe":
	case "keep":
		return
	default:
		p.Report(p.File.Name, change.Manual, "grpc.server="+mode+" is not a known mode (embed, unsafe or keep); server types left alone", "")
		return
	}
	if isGeneratedFile(p.Path) {
		return
	}
	svcs := services(p)
	if len(svcs) == 0 {
		return
	}
	registered := registeredTypes(p, svcs)
	added := map[*dst.Field]bool{}
	for spec := range rule.Nodes[*dst.TypeSpec](p.Inspector()) {
		tn, ok := p.ObjectOf(spec.Name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok {
			continue
		}
		for _, s := range svcs {
			embedFor(p, spec, named, s, registered[tn][s], mode, added)
		}
	}
}

// registeredTypes finds the named types of this package passed to a
// service's RegisterXServer anywhere in the package.
func registeredTypes(p *rule.Pass, svcs []*service) map[*types.TypeName]map[*service]bool {
	out := map[*types.TypeName]map[*service]bool{}
	info := p.Info()
	p.PkgAstInspector().Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return
		}
		fn := typeutil.StaticCallee(info, call)
		if fn == nil {
			return
		}
		for _, s := range svcs {
			if fn.Pkg() != s.pkg || fn.Name() != s.register() {
				continue
			}
			t := info.TypeOf(call.Args[1])
			if pt, ok := t.(*types.Pointer); ok {
				t = pt.Elem()
			}
			if nt, ok := t.(*types.Named); ok && nt.Obj().Pkg() == p.Pkg.Types {
				if out[nt.Obj()] == nil {
					out[nt.Obj()] = map[*service]bool{}
				}
				out[nt.Obj()][s] = true
			}
		}
	})
	return out
}

// embedFor adds the embedding service s needs to type spec, if it is a
// server of s that lacks it.
func embedFor(p *rule.Pass, spec *dst.TypeSpec, named *types.Named, s *service, registered bool, mode string, added map[*dst.Field]bool) {
	ptr := types.NewPointer(named)
	st, isStruct := spec.Type.(*dst.StructType)
	if ptrEmbedded(p, st, s) {
		p.Report(spec.Name, change.Review, named.Obj().Name()+" embeds *"+s.qualified(s.unimplemented())+": "+s.register()+" from protoc-gen-go-grpc ≥ v1.5.1 panics when that pointer is nil; embed it by value", "")
		return
	}
	ms := types.NewMethodSet(ptr)
	if ms.Lookup(s.pkg, s.mustEmbed()) != nil {
		return // embeds Unimplemented or Unsafe already
	}
	all := true
	var promoted []string
	for _, m := range s.rpcMethods() {
		sel := ms.Lookup(m.Pkg(), m.Name())
		if sel == nil || !types.Identical(sel.Type(), m.Type()) {
			all = false
			continue
		}
		if len(sel.Index()) > 1 {
			// Found through an embedded field.
			promoted = append(promoted, m.Name())
		}
	}
	if !all && !registered {
		return
	}
	if len(promoted) > 0 {
		if fixedByProvider(p, named, s) {
			return // the embedded type declared here gets the field
		}
		p.Report(spec.Name, change.Manual, "not rewritten: "+named.Obj().Name()+" gets "+promoted[0]+" through an embedded type, and embedding "+s.qualified(s.unimplemented())+" beside it would make that method ambiguous or hide it; embed it in the type that implements the RPCs", "")
		return
	}
	if !isStruct {
		p.Report(spec.Name, change.Manual, "not rewritten: "+named.Obj().Name()+" is not a struct type, so it cannot embed "+s.qualified(s.unimplemented())+"; wrap it in a struct that does, or regenerate with require_unimplemented_servers=false (-grpc-server=keep)", "")
		return
	}
	typ := s.unimplemented()
	msg := named.Obj().Name() + " embeds " + s.qualified(typ) + " by value, as " + s.qualified(s.server()) + " from protoc-gen-go-grpc requires; it implements every RPC, so nothing it serves changes (RPCs added to the service later answer Unimplemented)"
	if mode == "unsafe" {
		typ = s.unsafe()
		msg = named.Obj().Name() + " embeds " + s.qualified(typ) + " (-grpc-server=unsafe): it satisfies " + s.qualified(s.server()) + " without forward compatibility, so an RPC added to the service later is a compile error here"
	}
	if fieldNamed(st, typ) || hasMember(ptr, typ) {
		p.Report(spec.Name, change.Manual, "not rewritten: "+named.Obj().Name()+" already has a field or method named "+typ, "")
		return
	}
	if !all {
		msg += "; it does not implement every RPC itself, so the missing ones will answer Unimplemented"
	}
	p.Changed(spec, change.Safe, msg)
	var ident *dst.Ident
	if s.pkg == p.Pkg.Types {
		ident = dst.NewIdent(typ)
	} else {
		ident = rule.QualifiedIdent(s.pkg.Path(), typ)
	}
	f := &dst.Field{Type: ident}
	f.Decs.Before = dst.NewLine
	f.Decs.After = dst.NewLine
	// Embeddings added for other services stay together, first.
	i := 0
	for i < len(st.Fields.List) && added[st.Fields.List[i]] {
		i++
	}
	if i < len(st.Fields.List) {
		f.Decs.After = dst.EmptyLine
	}
	if i > 0 {
		st.Fields.List[i-1].Decs.After = dst.NewLine
	}
	added[f] = true
	st.Fields.List = append(st.Fields.List[:i], append([]*dst.Field{f}, st.Fields.List[i:]...)...)
}

// ptrEmbedded reports an embedded *UnimplementedXServer field.
func ptrEmbedded(p *rule.Pass, st *dst.StructType, s *service) bool {
	if st == nil {
		return false
	}
	for _, f := range st.Fields.List {
		if len(f.Names) != 0 {
			continue
		}
		if pt, ok := p.TypeOf(f.Type).(*types.Pointer); ok && rule.IsNamed(pt.Elem(), s.pkg.Path(), s.unimplemented()) {
			return true
		}
	}
	return false
}

func fieldNamed(st *dst.StructType, name string) bool {
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// hasMember reports a field or method name reachable from t.
func hasMember(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	return obj != nil
}

// fixedByProvider reports whether every RPC method t gets through
// embedding comes from a struct type of this package that implements the
// whole service itself, and so gets the embedding from this rule.
func fixedByProvider(p *rule.Pass, t *types.Named, s *service) bool {
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	ms := types.NewMethodSet(types.NewPointer(t))
	for _, m := range s.rpcMethods() {
		sel := ms.Lookup(m.Pkg(), m.Name())
		if sel == nil || len(sel.Index()) == 1 {
			continue
		}
		ft := st.Field(sel.Index()[0]).Type()
		if pt, ok := ft.(*types.Pointer); ok {
			ft = pt.Elem()
		}
		fn, ok := ft.(*types.Named)
		if !ok || fn.Obj().Pkg() != p.Pkg.Types {
			return false
		}
		if _, ok := fn.Underlying().(*types.Struct); !ok {
			return false
		}
		fms := types.NewMethodSet(types.NewPointer(fn))
		for _, m2 := range s.rpcMethods() {
			sel2 := fms.Lookup(m2.Pkg(), m2.Name())
			if sel2 == nil || len(sel2.Index()) != 1 {
				return false
			}
		}
	}
	return true
}
