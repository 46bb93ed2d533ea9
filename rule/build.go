package rule

import (
	"go/token"

	"github.com/dave/dst"
)

// Builders for the syntax rules write. They return fresh nodes without
// decorations; a rule moves comments onto them with MoveDecs and
// MoveStmtDecs.

// Exprs is a list of expressions, for the Lhs and Rhs of the builders.
func Exprs(es ...dst.Expr) []dst.Expr { return es }

// DefineStmt builds lhs := rhs.
func DefineStmt(lhs []dst.Expr, rhs ...dst.Expr) *dst.AssignStmt {
	return &dst.AssignStmt{Lhs: lhs, Tok: token.DEFINE, Rhs: rhs}
}

// AssignStmt builds lhs = rhs.
func AssignStmt(lhs []dst.Expr, rhs ...dst.Expr) *dst.AssignStmt {
	return &dst.AssignStmt{Lhs: lhs, Tok: token.ASSIGN, Rhs: rhs}
}

// VarDecl builds var name typ.
func VarDecl(name string, typ dst.Expr) *dst.DeclStmt {
	return &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{&dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(name)}, Type: typ}}}}
}

// If builds if cond { body }; set Init for if init; cond.
func If(cond dst.Expr, body ...dst.Stmt) *dst.IfStmt {
	return &dst.IfStmt{Cond: cond, Body: &dst.BlockStmt{List: body}}
}

// IsNil builds e == nil.
func IsNil(e dst.Expr) dst.Expr { return &dst.BinaryExpr{X: e, Op: token.EQL, Y: dst.NewIdent("nil")} }

// NotNil builds e != nil.
func NotNil(e dst.Expr) dst.Expr { return &dst.BinaryExpr{X: e, Op: token.NEQ, Y: dst.NewIdent("nil")} }

// Closure wraps statements into an immediately called function literal
// with the given result types, for calls whose new form needs statements
// but that sit where only an expression fits.
func Closure(results []dst.Expr, body ...dst.Stmt) *dst.CallExpr {
	fl := &dst.FieldList{}
	for _, r := range results {
		fl.List = append(fl.List, &dst.Field{Type: r})
	}
	for _, s := range body {
		s.Decorations().Before = dst.NewLine
		s.Decorations().After = dst.NewLine
	}
	return Call(&dst.FuncLit{Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}, Results: fl}, Body: &dst.BlockStmt{List: body}})
}
