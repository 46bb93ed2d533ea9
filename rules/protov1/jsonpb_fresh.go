package protov1

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ast/inspector"
)

// Support of protov1.jsonpb for deciding where jsonpb's merge semantics
// matter: an Unmarshal target that provably holds no data decodes the same
// under protojson's reset, anything else needs the merge helper.

// mergeHelperName is the function the rule copies into a package.
const mergeHelperName = "protojsonMergeUnmarshal"

// freshTarget reports whether the message expression e (an original
// node of file f, whose shared inspector is in) denotes a message nobody has written to yet: new(T),
// &T{}, or a variable declared as `var x T` / `x := new(T)` / `x := &T{}`
// (passed as &x or x) that nothing mentions between its declaration and
// the call and that is not declared outside a loop or function literal
// around the call.
func freshTarget(info *types.Info, f *ast.File, in *inspector.Inspector, e ast.Expr) bool {
	e = ast.Unparen(e)
	if freshExpr(info, e) {
		return true
	}
	byAddr := false
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e, byAddr = ast.Unparen(u.X), true
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	obj, _ := info.Uses[id].(*types.Var)
	if obj == nil || obj.Pkg() == nil || obj.Parent() == nil || obj.Parent() == obj.Pkg().Scope() {
		return false
	}
	path, _ := astutil.PathEnclosingInterval(f, obj.Pos(), obj.Pos())
	declEnd := token.NoPos
	for _, n := range path {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if name.Pos() != obj.Pos() {
					continue
				}
				switch {
				case len(n.Values) == 0 && byAddr:
					declEnd = n.End()
				case len(n.Values) == len(n.Names) && !byAddr && freshExpr(info, n.Values[i]):
					declEnd = n.End()
				}
			}
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE || len(n.Lhs) != len(n.Rhs) || byAddr {
				break
			}
			for i, l := range n.Lhs {
				if l.Pos() == obj.Pos() && freshExpr(info, n.Rhs[i]) {
					declEnd = n.End()
				}
			}
		}
		if declEnd.IsValid() {
			break
		}
	}
	if !declEnd.IsValid() || id.Pos() < declEnd {
		return false
	}
	callPath, _ := astutil.PathEnclosingInterval(f, id.Pos(), id.End())
	for _, n := range callPath {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.FuncLit:
			if obj.Pos() < n.Pos() || obj.Pos() >= n.End() {
				return false
			}
		}
	}
	for n := range in.PreorderSeq((*ast.Ident)(nil)) {
		if u := n.(*ast.Ident); u != id && u.Pos() > declEnd && u.Pos() < id.Pos() && info.Uses[u] == obj {
			return false
		}
	}
	// A label between declaration and call could make control return to
	// an earlier point with the variable already filled in.
	for n := range in.PreorderSeq((*ast.LabeledStmt)(nil)) {
		if l := n.(*ast.LabeledStmt); l.Pos() < id.Pos() && l.End() > declEnd {
			return false
		}
	}
	return true
}

// freshExpr reports whether e allocates an empty message: new(T) or &T{}.
func freshExpr(info *types.Info, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		id, ok := ast.Unparen(e.Fun).(*ast.Ident)
		if !ok || len(e.Args) != 1 {
			return false
		}
		_, builtin := info.Uses[id].(*types.Builtin)
		return builtin && id.Name == "new"
	case *ast.UnaryExpr:
		cl, ok := ast.Unparen(e.X).(*ast.CompositeLit)
		return ok && e.Op == token.AND && len(cl.Elts) == 0
	}
	return false
}
