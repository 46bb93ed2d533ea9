package protov1

import (
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Helpers shared by the rules for github.com/golang/protobuf/proto
// (proto_*.go).

// v1ProtoFunc returns the name of the v1 proto package-level function f,
// or "" when f is something else.
func v1ProtoFunc(f *types.Func) string {
	if f == nil || f.Pkg() == nil || f.Pkg().Path() != v1Proto {
		return ""
	}
	if sig, _ := f.Type().(*types.Signature); sig == nil || sig.Recv() != nil {
		return ""
	}
	return f.Name()
}

// v1ProtoRef returns the name of the v1 proto package-level object a
// qualified (or dot-imported) identifier refers to, or "".
func v1ProtoRef(p *rule.Pass, id *dst.Ident) (string, types.Object) {
	if id.Path != v1Proto {
		return "", nil
	}
	o := p.ObjectOf(id)
	if o == nil || o.Pkg() == nil || o.Pkg().Path() != v1Proto || o.Parent() != o.Pkg().Scope() {
		return "", nil
	}
	return o.Name(), o
}

// carryProtoAlias asks the restorer to import APIv2's proto under the name
// the file gave APIv1's, unless that name says "v1": a file that wrote
// `pb "github.com/golang/protobuf/proto"` keeps writing pb, while
// `protoV1` would be a misleading name for the new package.
func carryProtoAlias(p *rule.Pass) {
	for _, is := range p.File.Imports {
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil || path != v1Proto || is.Name == nil {
			continue
		}
		name := is.Name.Name
		if name == "_" || name == "." || strings.Contains(name, "1") {
			continue
		}
		p.Sink.Alias(v2Proto, name)
	}
}

// toV2Proto repoints a qualified reference to the same-named identifier
// of APIv2's proto package.
func toV2Proto(p *rule.Pass, id *dst.Ident) {
	carryProtoAlias(p)
	id.Path = v2Proto
	p.Require(protobufModule, minProtobuf)
}

// v2Arg returns e as an APIv2 message: unchanged when its static type
// already implements the v2 interface (or it is the nil literal), and
// wrapped in protoadapt.MessageV2Of otherwise (legacy v1.3 generated code,
// hand-written messages, values typed as the v1 interface). The wrapper
// accepts exactly what the v1 parameter accepted, since protoadapt.MessageV1
// is the v1 interface.
func v2Arg(p *rule.Pass, e dst.Expr) dst.Expr {
	t := p.TypeOf(e)
	if t == nil || rule.IsUntypedNil(t) || v2AfterRun(p, t) {
		return e
	}
	p.Require(protobufModule, minProtobuf)
	return rule.Call(rule.QualifiedIdent(v2Protoadapt, "MessageV2Of"), e)
}

// funcValues reports every use of a matched v1 function that is not the
// callee of a call: a function value keeps the v1 signature its users were
// written against, so it cannot be repointed.
func funcValues(p *rule.Pass, match func(name string) bool, why string) {
	called := map[dst.Node]bool{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.Ident)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if par, ok := n.Fun.(*dst.ParenExpr); ok {
				called[par.X] = true
			}
		case *dst.Ident:
			name, o := v1ProtoRef(p, n)
			if _, isFunc := o.(*types.Func); isFunc && !called[n] && match(name) {
				p.Report(n, change.Manual, "not rewritten: proto."+name+" is used as a function value; "+why, "")
			}
		}
		return true
	})
}

// interfaceArgs returns the call arguments whose parameter is a
// non-generic interface type: there a concrete value and the same value
// converted to an interface are interchangeable.
func interfaceArgs(p *rule.Pass) map[dst.Expr]bool {
	out := map[dst.Expr]bool{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil)}, func(n dst.Node) bool {
		call, ok := n.(*dst.CallExpr)
		if !ok {
			return true
		}
		f := p.Callee(call)
		if f == nil {
			return true
		}
		sig := f.Type().(*types.Signature)
		if sig.TypeParams().Len() > 0 {
			return true
		}
		for i, a := range call.Args {
			var pt types.Type
			switch {
			case sig.Variadic() && i >= sig.Params().Len()-1:
				if call.Ellipsis {
					continue
				}
				pt = sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
			case i < sig.Params().Len():
				pt = sig.Params().At(i).Type()
			default:
				continue
			}
			if types.IsInterface(pt) {
				out[a] = true
			}
		}
		return true
	})
	return out
}

// unparen strips parentheses.
func unparen(e dst.Expr) dst.Expr {
	for {
		par, ok := e.(*dst.ParenExpr)
		if !ok {
			return e
		}
		e = par.X
	}
}

// typeExpr builds an expression naming t (a basic or named type), or nil.
func typeExpr(p *rule.Pass, t types.Type) dst.Expr {
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		if t.Info()&types.IsUntyped != 0 {
			return nil
		}
		return dst.NewIdent(t.Name())
	case *types.Named:
		o := t.Obj()
		if o.Pkg() == nil || t.TypeArgs().Len() > 0 {
			return nil
		}
		if o.Pkg() == p.Pkg.Types {
			return dst.NewIdent(o.Name())
		}
		return rule.QualifiedIdent(o.Pkg().Path(), o.Name())
	}
	return nil
}

// mentions reports whether n contains a local identifier (not a
// package-qualified one) spelled as one of names: a name a rewrite wants
// to declare or move would capture or clash with it.
func mentions(n dst.Node, names ...string) bool {
	found := false
	dst.Inspect(n, func(x dst.Node) bool {
		if id, ok := x.(*dst.Ident); ok && id.Path == "" {
			for _, name := range names {
				found = found || id.Name == name
			}
		}
		return !found
	})
	return found
}

// reportEmbedded reports an embedded field whose type a rule would rename
// (see rule.EmbeddedTypes).
func reportEmbedded(p *rule.Pass, id *dst.Ident, from, to string) {
	p.Report(id, change.Manual, "not rewritten: "+from+" is an embedded field, named "+id.Name+" after its type; as "+to+" the field would be renamed, so every x."+id.Name+" selector and `"+id.Name+":` key (in this package and its importers) would stop compiling", "keep the embedded field until its users move, or name it: "+id.Name+" "+to+" (its methods are then no longer promoted)")
}
