package rule

import (
	"go/ast"
	"go/token"

	"github.com/dave/dst"
)

// StmtLists calls fn for every statement list of the pass's file (block
// bodies, case and select clauses), replacing the list with what fn
// returns. It finds the lists with the shared inspector: the lists of the tree as it
// was when the inspector was built, outer lists before the lists inside
// them. Lists in statements fn adds are not visited (moved original
// statements are: they were in the tree).
func (p *Pass) StmtLists(fn func(list []dst.Stmt) []dst.Stmt) {
	for n := range p.Inspector().Preorder((*dst.BlockStmt)(nil), (*dst.CaseClause)(nil), (*dst.CommClause)(nil)) {
		switch n := n.(type) {
		case *dst.BlockStmt:
			n.List = fn(n.List)
		case *dst.CaseClause:
			n.Body = fn(n.Body)
		case *dst.CommClause:
			n.Body = fn(n.Body)
		}
	}
}

// IsBlank reports whether e is the blank identifier.
func IsBlank(e dst.Expr) bool {
	id, ok := e.(*dst.Ident)
	return ok && id.Name == "_" && id.Path == ""
}

// IsNewDef reports whether lhs of a := statement declares a new variable
// (as opposed to assigning to one declared earlier in the same scope).
func (p *Pass) IsNewDef(lhs dst.Expr) bool {
	id, ok := lhs.(*dst.Ident)
	if !ok {
		return false
	}
	a, ok := p.Ast(id).(*ast.Ident)
	return ok && p.Info().Defs[a] != nil
}

// Assign builds `lhs op rhs`, choosing := only when orig was a := and lhs
// is a variable it declared.
func (p *Pass) Assign(orig *dst.AssignStmt, lhs, rhs dst.Expr) *dst.AssignStmt {
	tok := token.ASSIGN
	if orig.Tok == token.DEFINE && p.IsNewDef(lhs) {
		tok = token.DEFINE
	}
	return &dst.AssignStmt{Lhs: []dst.Expr{lhs}, Tok: tok, Rhs: []dst.Expr{rhs}}
}

// SplitValueErr rewrites `v, err := F(...)` (or =) where F lost its error
// result: value is the new single-result expression and errOf builds the
// error expression given an expression for the value. It returns the
// statements that replace orig, keeping orig's comments on the first and
// last of them, or false when the value side is not something that can be
// read again safely.
func (p *Pass) SplitValueErr(orig *dst.AssignStmt, value dst.Expr, errOf func(v dst.Expr) dst.Expr) ([]dst.Stmt, bool) {
	if len(orig.Lhs) != 2 || len(orig.Rhs) != 1 {
		return nil, false
	}
	lv, le := orig.Lhs[0], orig.Lhs[1]
	var out []dst.Stmt
	switch {
	case IsBlank(lv) && IsBlank(le):
		out = []dst.Stmt{AssignStmt(Exprs(dst.NewIdent("_")), value)}
	case IsBlank(le):
		out = []dst.Stmt{p.Assign(orig, lv, value)}
	case IsBlank(lv):
		out = []dst.Stmt{p.Assign(orig, le, errOf(value))}
	default:
		if !p.SideEffectFree(lv) {
			return nil, false
		}
		out = []dst.Stmt{p.Assign(orig, lv, value), p.Assign(orig, le, errOf(Clone(lv)))}
	}
	MoveStmtDecs(orig, out)
	return out, true
}

// MoveStmtDecs gives the first replacement statement orig's leading
// comments and spacing and the last one its trailing ones.
func MoveStmtDecs(orig dst.Stmt, out []dst.Stmt) {
	if len(out) == 0 {
		return
	}
	od := orig.Decorations()
	first, last := out[0].Decorations(), out[len(out)-1].Decorations()
	first.Before = od.Before
	first.Start = append(first.Start, od.Start...)
	last.End = append(last.End, od.End...)
	last.After = od.After
	if len(out) > 1 {
		if first.After == dst.None {
			first.After = dst.NewLine
		}
		if last.Before == dst.None {
			last.Before = dst.NewLine
		}
	}
}

// MoveDecs copies the comments attached to from onto to, so that
// replacing a node keeps what a person wrote around it.
func MoveDecs(from, to dst.Node) {
	fd, td := from.Decorations(), to.Decorations()
	td.Before = fd.Before
	td.After = fd.After
	td.Start = append(td.Start, fd.Start...)
	td.End = append(td.End, fd.End...)
}
