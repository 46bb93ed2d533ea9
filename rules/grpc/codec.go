package grpc

import (
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Codec moves the deprecated grpc.Codec options to their encoding.Codec
// counterparts (spec C.1 WithCodec/CallCustomCodec, C.2 Codec/CustomCodec):
//
//	grpc.WithCodec(c)        →  grpc.WithDefaultCallOptions(grpc.ForceCodec(c))
//	grpc.CallCustomCodec(c)  →  grpc.ForceCodec(c)
//	grpc.CustomCodec(c)      →  grpc.ForceServerCodec(c)
//
// only when c's static type already has a Name() string method, i.e. also
// implements encoding.Codec. The bytes on the wire are the same, but a
// forced client codec's Name() is now sent as the content-subtype
// ("application/grpc+<name>"), which a server picking codecs by subtype
// will act on: review. On the server the codec keeps handling every
// request whatever its subtype: safe. Codecs with only String() — including any value
// whose static type is the grpc.Codec interface — are reported with the
// method to add (class X), as are references to the grpc.Codec type and
// these functions used as values.
var Codec = &rule.Rule{
	Name:    "grpc.codec",
	Doc:     "grpc.WithCodec/CallCustomCodec/CustomCodec → ForceCodec/ForceServerCodec for codecs with Name(); grpc.Codec reported",
	Risk:    change.Review,
	Imports: []string{grpcPath},
	Run:     runCodec,
}

var codecMoves = map[string]struct {
	to, min string
	risk    change.Risk
	note    string
}{
	"WithCodec":       {"ForceCodec", "v1.19.0", change.Review, " (the codec's Name() is now sent as the content-subtype)"},
	"CallCustomCodec": {"ForceCodec", "v1.19.0", change.Review, " (the codec's Name() is now sent as the content-subtype)"},
	"CustomCodec":     {"ForceServerCodec", "v1.38.0", change.Safe, " (the server still uses the codec for every request)"},
}

const addName = "func (c T) Name() string { return c.String() } // encoding.Codec wants Name; the name is also the content-subtype"

func runCodec(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			for old, mv := range codecMoves {
				if !calleeIs(p, n, grpcPath, old) || len(n.Args) != 1 {
					continue
				}
				if !hasNameMethod(p.TypeOf(n.Args[0])) {
					p.Report(n, change.Manual, "grpc."+old+" is deprecated and its codec has no Name() method, so it is not an encoding.Codec; add Name() (its result becomes the content-subtype) and use grpc."+mv.to, addName)
					return true
				}
				var e dst.Expr = rule.Call(rule.QualifiedIdent(grpcPath, mv.to), n.Args[0])
				if old == "WithCodec" {
					e = rule.Call(rule.QualifiedIdent(grpcPath, "WithDefaultCallOptions"), e)
				}
				p.Changed(n, mv.risk, "grpc."+old+" → grpc."+mv.to+mv.note)
				replace(c, e)
				p.Require(grpcModule, mv.min)
				return true
			}
		case *dst.Ident:
			if n.Path == "" || isCallFun(c) {
				return true
			}
			if isPkgObj(p, n, grpcPath, "Codec") {
				p.Report(n, change.Manual, "grpc.Codec is deprecated: implement encoding.Codec (Marshal, Unmarshal and Name instead of String) and register it with encoding.RegisterCodec or force it with grpc.ForceCodec/ForceServerCodec", "encoding.Codec")
				return true
			}
			for old, mv := range codecMoves {
				if isPkgObj(p, n, grpcPath, old) {
					p.Report(n, change.Manual, "grpc."+old+" is deprecated and used as a function value; use grpc."+mv.to+" with an encoding.Codec", "")
				}
			}
		}
		return true
	})
}

// hasNameMethod reports whether values of type t have a Name() string
// method.
func hasNameMethod(t types.Type) bool {
	if t == nil {
		return false
	}
	ms := types.NewMethodSet(t)
	sel := ms.Lookup(nil, "Name")
	if sel == nil {
		return false
	}
	sig, _ := sel.Type().(*types.Signature)
	if sig == nil || sig.Params().Len() != 0 || sig.Results().Len() != 1 {
		return false
	}
	b, ok := sig.Results().At(0).Type().(*types.Basic)
	return ok && b.Kind() == types.String
}
