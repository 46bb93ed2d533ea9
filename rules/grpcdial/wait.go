package grpcdial

import (
	"go/token"
	"strconv"

	"github.com/dave/dst"

	"github.com/protolift/protolift/rule"
)

// waitStmt builds the wait a blocking Dial did, after conn, err were set
// by NewClient:
//
//	if err == nil {
//		ctx, cancel := context.WithTimeout(base, d) // or ctx := base
//		for state := conn.GetState(); state != connectivity.Ready; state = conn.GetState() {
//			if state == connectivity.Idle {
//				conn.Connect()
//			}
//			if !conn.WaitForStateChange(ctx, state) {
//				err = ctx.Err()
//				conn.Close()
//				conn = nil
//				break
//			}
//		}
//		cancel()
//	}
//
// This is DialContext's own loop (G:clientconn.go), so the bound, the
// failure and the error (ctx.Err(), e.g. context.DeadlineExceeded) are the
// same.
func waitStmt(pl *dialPlan, conn, errID dst.Expr, fresh func(base string) string) dst.Stmt {
	connectivity := func(name string) dst.Expr { return rule.QualifiedIdent("google.golang.org/grpc/connectivity", name) }
	c := func() dst.Expr { return rule.Clone(conn) }
	e := func() dst.Expr { return rule.Clone(errID) }
	state := fresh("state")
	st := func() dst.Expr { return dst.NewIdent(state) }

	var pre, post []dst.Stmt
	base := pl.ctx
	if base == nil {
		base = rule.Call(rule.QualifiedIdent("context", "Background"))
	} else {
		base = rule.Clone(base)
	}
	var ctx dst.Expr
	switch {
	case pl.timeout != nil:
		name, cancel := fresh("ctx"), fresh("cancel")
		pre = append(pre, rule.DefineStmt(rule.Exprs(dst.NewIdent(name), dst.NewIdent(cancel)),
			rule.Call(rule.QualifiedIdent("context", "WithTimeout"), base, rule.Clone(pl.timeout))))
		post = append(post, &dst.ExprStmt{X: rule.Call(dst.NewIdent(cancel))})
		ctx = dst.NewIdent(name)
	case pl.ctx == nil || isIdent(base):
		ctx = base
	default:
		name := fresh("ctx")
		pre = append(pre, rule.DefineStmt(rule.Exprs(dst.NewIdent(name)), base))
		ctx = dst.NewIdent(name)
	}
	failWith := func(err dst.Expr) []dst.Stmt {
		return []dst.Stmt{
			rule.AssignStmt(rule.Exprs(e()), err),
			&dst.ExprStmt{X: rule.Call(rule.Sel(c(), "Close"))},
			rule.AssignStmt(rule.Exprs(c()), dst.NewIdent("nil")),
			&dst.BranchStmt{Tok: token.BREAK},
		}
	}
	fail := func(msg string, args ...dst.Expr) []dst.Stmt {
		all := append([]dst.Expr{&dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(msg)}, rule.Call(rule.Sel(c(), "Target"))}, args...)
		return failWith(rule.Call(rule.QualifiedIdent("fmt", "Errorf"), all...))
	}
	var loop []dst.Stmt
	loop = append(loop, &dst.IfStmt{
		Cond: &dst.BinaryExpr{X: st(), Op: token.EQL, Y: connectivity("Idle")},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: rule.Call(rule.Sel(c(), "Connect"))}}},
	})
	if pl.failFast {
		loop = append(loop, &dst.IfStmt{
			Cond: &dst.BinaryExpr{X: st(), Op: token.EQL, Y: connectivity("TransientFailure")},
			Body: &dst.BlockStmt{List: fail("grpc: could not connect to %s: %v", st())},
		})
	}
	if pl.ctx == nil && pl.timeout == nil {
		// WithBlock alone waited for as long as it took.
		loop = append(loop, &dst.ExprStmt{X: rule.Call(rule.Sel(c(), "WaitForStateChange"), ctx, st())})
	} else {
		loop = append(loop, &dst.IfStmt{
			Cond: &dst.UnaryExpr{Op: token.NOT, X: rule.Call(rule.Sel(c(), "WaitForStateChange"), ctx, st())},
			// DialContext returned the context's error itself when the
			// bound ran out, and callers compare it with
			// context.DeadlineExceeded: return exactly that.
			Body: &dst.BlockStmt{List: failWith(rule.Call(rule.Sel(rule.Clone(ctx), "Err")))},
		})
	}
	getState := func() dst.Expr { return rule.Call(rule.Sel(c(), "GetState")) }
	forStmt := &dst.ForStmt{
		Init: rule.DefineStmt(rule.Exprs(st()), getState()),
		Cond: &dst.BinaryExpr{X: st(), Op: token.NEQ, Y: connectivity("Ready")},
		Post: rule.AssignStmt(rule.Exprs(st()), getState()),
		Body: &dst.BlockStmt{List: loop},
	}
	body := append(append(pre, forStmt), post...)
	return &dst.IfStmt{
		Cond: rule.IsNil(e()),
		Body: &dst.BlockStmt{List: body},
	}
}

func isIdent(e dst.Expr) bool {
	_, ok := e.(*dst.Ident)
	return ok
}
