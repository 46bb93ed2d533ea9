package grpc

import (
	"go/token"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Metadata removes metadata.DecodeKeyValue (spec C.3), which has returned
// its arguments unchanged and a nil error since 1.12:
//
//	k2, v2, err := metadata.DecodeKeyValue(k, v)  →  k2, v2, err := k, v, error(nil)
//	k2, v2, _ := metadata.DecodeKeyValue(k, v)    →  k2, v2 := k, v
//	return metadata.DecodeKeyValue(k, v)          →  return k, v, nil
//	if key, val, err := metadata.DecodeKeyValue(k, v); err == nil { use(key, val) } else { … }  →  use(k, v)
//
// The arguments are still evaluated once each, in order: safe. Any other
// use (an argument of a call, a function value) is reported. The removed
// FromContext/NewContext (gone since 1.6) can't appear in code that builds
// against a current grpc and are not handled.
var Metadata = &rule.Rule{
	Name:    "grpc.metadata",
	Doc:     "metadata.DecodeKeyValue → its arguments",
	Risk:    change.Safe,
	Imports: []string{metadataPath},
	Run:     runMetadata,
}

func runMetadata(p *rule.Pass) {
	isDecode := func(e dst.Expr) (*dst.CallExpr, bool) {
		call, ok := e.(*dst.CallExpr)
		if !ok || len(call.Args) != 2 || call.Ellipsis {
			return nil, false
		}
		return call, calleeIs(p, call, metadataPath, "DecodeKeyValue")
	}
	handled := map[*dst.CallExpr]bool{}
	decodeIfs(p, isDecode, handled)
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.AssignStmt:
			call, ok := isDecode(singleExpr(n.Rhs))
			if !ok || len(n.Lhs) != 3 {
				return true
			}
			handled[call] = true
			p.Changed(call, change.Safe, "metadata.DecodeKeyValue(k, v) → k, v: it returns its arguments and a nil error")
			if rule.IsBlank(n.Lhs[2]) {
				n.Lhs = n.Lhs[:2]
				n.Rhs = []dst.Expr{call.Args[0], call.Args[1]}
			} else {
				var nilErr dst.Expr = dst.NewIdent("nil")
				if n.Tok == token.DEFINE {
					nilErr = rule.Call(dst.NewIdent("error"), nilErr)
				}
				n.Rhs = []dst.Expr{call.Args[0], call.Args[1], nilErr}
			}
			if n.Tok == token.DEFINE && len(n.Lhs) == 2 && rule.IsBlank(n.Lhs[0]) && rule.IsBlank(n.Lhs[1]) {
				// `_, _ := k, v` declares nothing; assign instead.
				n.Tok = token.ASSIGN
			}
		case *dst.ReturnStmt:
			call, ok := isDecode(singleExpr(n.Results))
			if !ok {
				return true
			}
			handled[call] = true
			p.Changed(call, change.Safe, "metadata.DecodeKeyValue(k, v) → k, v, nil: it returns its arguments and a nil error")
			n.Results = []dst.Expr{call.Args[0], call.Args[1], dst.NewIdent("nil")}
		case *dst.CallExpr:
			if _, ok := isDecode(n); ok && !handled[n] {
				p.Report(n, change.Manual, "metadata.DecodeKeyValue is deprecated and returns its arguments unchanged with a nil error; use the key and value directly", "")
			}
		case *dst.Ident:
			if n.Path != "" && !isCallFun(c) && isPkgObj(p, n, metadataPath, "DecodeKeyValue") {
				p.Report(n, change.Manual, "metadata.DecodeKeyValue is deprecated and used as a function value; it returns its arguments unchanged with a nil error", "func(k, v string) (string, string, error) { return k, v, nil }")
			}
		}
		return true
	})
}

func singleExpr(list []dst.Expr) dst.Expr {
	if len(list) != 1 {
		return nil
	}
	return list[0]
}
