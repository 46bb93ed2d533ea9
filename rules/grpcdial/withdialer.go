package grpcdial

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// WithDialer rewrites grpc.WithDialer(f) to grpc.WithContextDialer with
// an adapter closure (spec C.1 row WithDialer). Risk: safe.
//
//	grpc.WithDialer(f)  →  grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
//		var timeout time.Duration
//		if deadline, ok := ctx.Deadline(); ok {
//			timeout = time.Until(deadline)
//		}
//		return f(addr, timeout)
//	})
//
// That closure is what WithDialer itself builds (G:dialoptions.go), so
// the dialer sees the same address and timeout. The closure reads f at
// each dial where WithDialer read it once, so f must be a function
// literal, a declared function, or a variable nothing reassigns in its
// function; anything else (a call that returns the dialer, a field, a
// package variable) is reported, as is WithDialer used as a value.
var WithDialer = &rule.Rule{
	Name:    "grpc.withdialer",
	Doc:     "grpc.WithDialer → grpc.WithContextDialer with a closure deriving the timeout from ctx's deadline",
	Risk:    change.Safe,
	Imports: []string{grpcPath},
	Run:     runWithDialer,
}

func runWithDialer(p *rule.Pass) {
	in := p.Inspector()
	called := map[dst.Node]bool{}
	in.Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.Ident)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if !rule.IsPkgFunc(p.Callee(n), grpcPath, "WithDialer") || len(n.Args) != 1 || n.Ellipsis {
				return true
			}
			id, ok := n.Fun.(*dst.Ident)
			if !ok {
				return true
			}
			f := n.Args[0]
			if why := stableFunc(p, f, funcOf(in, n)); why != "" {
				p.Report(n, change.Manual, "not rewritten: "+why, "")
				return true
			}
			p.Changed(n, change.Safe, "grpc.WithDialer → grpc.WithContextDialer; the adapter passes the time left before the dial context's deadline (0 without one), as WithDialer did")
			id.Name = "WithContextDialer"
			n.Args[0] = adapter(p, f)
			p.Require(grpcModule, minContextDialer)
		case *dst.Ident:
			if fn, ok := p.ObjectOf(n).(*types.Func); ok && !called[n] && n.Path != "" && rule.IsPkgFunc(fn, grpcPath, "WithDialer") {
				p.Report(n, change.Manual, "not rewritten: grpc.WithDialer is used as a function value; WithContextDialer takes a func(context.Context, string) (net.Conn, error) instead", "")
			}
		}
		return true
	})
}

// stableFunc says why reading f at every dial could differ from reading
// it once when the option was built, or "" when it cannot.
func stableFunc(p *rule.Pass, f dst.Expr, fc *funcCtx) string {
	switch f := f.(type) {
	case *dst.FuncLit:
		return ""
	case *dst.Ident:
		switch o := p.ObjectOf(f).(type) {
		case *types.Func:
			return ""
		case *types.Var:
			if fc == nil {
				break
			}
			fn := fc.in.Parent(fc.body)
			a := p.Ast(fn)
			if a == nil || o.Pos() < a.Pos() || o.Pos() >= a.End() {
				break
			}
			writes := 0
			dst.Inspect(fc.body, func(n dst.Node) bool {
				switch n := n.(type) {
				case *dst.AssignStmt:
					for _, l := range n.Lhs {
						if id, ok := l.(*dst.Ident); ok && p.ObjectOf(id) == o && !(n.Tok == token.DEFINE && p.IsNewDef(id)) {
							writes++
						}
					}
				case *dst.UnaryExpr:
					if id, ok := n.X.(*dst.Ident); ok && n.Op == token.AND && p.ObjectOf(id) == o {
						writes++
					}
				}
				return true
			})
			if writes == 0 {
				return ""
			}
		}
	}
	return "the dialer passed to WithDialer is not a function literal, a declared function or a variable set once in this function, and the replacement closure would read it at each dial instead of once; assign it to a local variable first"
}

// adapter builds WithDialer's own wrapper around f, with names f does
// not mention so nothing inside f gets captured, calling f once so a
// function literal is written once.
func adapter(p *rule.Pass, f dst.Expr) dst.Expr {
	fresh := func(base string) string { return p.Names().FreshIn(f, base) }
	ctx, addr, timeout, deadline, ok := fresh("ctx"), fresh("addr"), fresh("timeout"), fresh("deadline"), fresh("ok")
	id := dst.NewIdent
	var fun dst.Expr = f
	if _, lit := f.(*dst.FuncLit); lit {
		fun = &dst.ParenExpr{X: f}
	}
	body := []dst.Stmt{
		rule.VarDecl(timeout, rule.QualifiedIdent("time", "Duration")),
		&dst.IfStmt{
			Init: rule.DefineStmt(rule.Exprs(id(deadline), id(ok)), rule.Call(rule.Sel(id(ctx), "Deadline"))),
			Cond: id(ok),
			Body: &dst.BlockStmt{List: []dst.Stmt{rule.AssignStmt(rule.Exprs(id(timeout)), rule.Call(rule.QualifiedIdent("time", "Until"), id(deadline)))}},
		},
		&dst.ReturnStmt{Results: []dst.Expr{rule.Call(fun, id(addr), id(timeout))}},
	}
	lit := &dst.FuncLit{
		Type: &dst.FuncType{
			Params: &dst.FieldList{List: []*dst.Field{
				{Names: []*dst.Ident{id(ctx)}, Type: rule.QualifiedIdent("context", "Context")},
				{Names: []*dst.Ident{id(addr)}, Type: id("string")},
			}},
			Results: &dst.FieldList{List: []*dst.Field{
				{Type: rule.QualifiedIdent("net", "Conn")},
				{Type: id("error")},
			}},
		},
		Body: &dst.BlockStmt{List: body},
	}
	if _, isLit := f.(*dst.FuncLit); !isLit {
		// A comment on the dialer stays on the argument, not the inner call.
		rule.MoveDecs(f, lit)
		*f.Decorations() = dst.NodeDecs{}
	}
	return lit
}
