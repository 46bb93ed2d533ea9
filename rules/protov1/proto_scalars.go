package protov1

import (
	"go/ast"
	"go/constant"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoScalars moves the pointer helpers of github.com/golang/protobuf/proto
// (spec A.1, first two rows) to google.golang.org/protobuf/proto:
//
//	proto.Bool, Int32, Int64, Uint32, Uint64, Float32, Float64, String  →  same names in APIv2
//	proto.Int(v)                                                       →  proto.Int32(int32(v))
//
// An untyped constant argument that fits in an int32 (proto.Int(1))
// needs no conversion: proto.Int32(1).
//
// The helpers have identical signatures and bodies (`return &v`), so calls
// and function values move alike: risk "safe". Int has no v2 twin; a call
// gets the conversion it performed internally, a function value of Int is
// reported because its signature (func(int) *int32) has no replacement.
var ProtoScalars = &rule.Rule{
	Name:    "protov1.proto.scalars",
	Doc:     "proto.Bool/Int32/.../String → google.golang.org/protobuf/proto; proto.Int(v) → proto.Int32(int32(v))",
	Risk:    change.Safe,
	Imports: []string{v1Proto},
	Run:     runProtoScalars,
}

var scalarHelpers = map[string]bool{
	"Bool": true, "Int32": true, "Int64": true, "Uint32": true,
	"Uint64": true, "Float32": true, "Float64": true, "String": true,
}

func runProtoScalars(p *rule.Pass) {
	calls := map[*dst.Ident]*dst.CallExpr{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil)}, func(n dst.Node) bool {
		if call, ok := n.(*dst.CallExpr); ok {
			if id, ok := unparen(call.Fun).(*dst.Ident); ok {
				calls[id] = call
			}
		}
		return true
	})
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil)}, func(n dst.Node) bool {
		id, ok := n.(*dst.Ident)
		if !ok {
			return true
		}
		name, o := v1ProtoRef(p, id)
		if o == nil {
			return true
		}
		switch {
		case scalarHelpers[name]:
			p.Changed(id, change.Safe, "proto."+name+" → google.golang.org/protobuf/proto."+name)
			toV2Proto(p, id)
		case name == "Int":
			call := calls[id]
			if call == nil || len(call.Args) != 1 || call.Ellipsis {
				p.Report(id, change.Manual, "not rewritten: proto.Int is used as a function value and has no APIv2 twin; use func(v int) *int32 { return proto.Int32(int32(v)) }", "")
				return true
			}
			id.Name = "Int32"
			toV2Proto(p, id)
			if untypedInt32(p, call.Args[0]) {
				p.Changed(call, change.Safe, "proto.Int(c) → proto.Int32(c) (an untyped constant needs no conversion)")
				return true
			}
			p.Changed(call, change.Safe, "proto.Int(v) → proto.Int32(int32(v))")
			call.Args[0] = rule.Call(dst.NewIdent("int32"), call.Args[0])
		}
		return true
	})
}

// untypedInt32 reports whether e is an untyped numeric constant whose
// value an int32 holds exactly, so it converts implicitly. (go/types
// records such a constant with the type it converted to, int here, so
// the expression itself is inspected: literals and untyped named
// constants only.)
func untypedInt32(p *rule.Pass, e dst.Expr) bool {
	a, ok := p.Ast(e).(ast.Expr)
	if !ok {
		return false
	}
	tv := p.Info().Types[a]
	if tv.Value == nil || !untypedConstExpr(p.Info(), a) {
		return false
	}
	v := constant.ToInt(tv.Value)
	if v.Kind() != constant.Int {
		return false
	}
	i, exact := constant.Int64Val(v)
	return exact && i >= -1<<31 && i < 1<<31
}

func untypedConstExpr(info *types.Info, e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return untypedConstExpr(info, e.X)
	case *ast.UnaryExpr:
		return untypedConstExpr(info, e.X)
	case *ast.BinaryExpr:
		return untypedConstExpr(info, e.X) && untypedConstExpr(info, e.Y)
	case *ast.Ident:
		c, ok := info.Uses[e].(*types.Const)
		if !ok {
			return false
		}
		b, ok := c.Type().(*types.Basic)
		return ok && b.Info()&types.IsUntyped != 0
	}
	return false
}
