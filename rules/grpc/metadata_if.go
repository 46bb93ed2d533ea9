package grpc

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// decodeIfs rewrites the shape
//
//	if key, val, err := metadata.DecodeKeyValue(k, v); err == nil {
//		use(key, val)
//	} else {
//		fail(err)
//	}
//
// to what a person writes knowing err is always nil: the live branch with
// key and val replaced by k and v (`use(k, v)`), the dead one dropped.
// It applies when the live branch does not mention err, k and v are
// identifiers the live branch does not assign, and key and
// val are neither assigned nor have their address taken there. The
// branch's statements replace the if when they declare nothing (else
// they stay a block, keeping their scope). Other shapes keep the
// `k, v, error(nil)` form.
func decodeIfs(p *rule.Pass, isDecode func(dst.Expr) (*dst.CallExpr, bool), handled map[*dst.CallExpr]bool) {
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			if repl, ok := decodeIf(p, s, isDecode, handled); ok {
				out = append(out, repl...)
				continue
			}
			out = append(out, s)
		}
		return out
	})
}

func decodeIf(p *rule.Pass, s dst.Stmt, isDecode func(dst.Expr) (*dst.CallExpr, bool), handled map[*dst.CallExpr]bool) ([]dst.Stmt, bool) {
	ifs, ok := s.(*dst.IfStmt)
	if !ok || ifs.Init == nil {
		return nil, false
	}
	as, ok := ifs.Init.(*dst.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 3 {
		return nil, false
	}
	call, ok := isDecode(singleExpr(as.Rhs))
	if !ok || handled[call] {
		return nil, false
	}
	errID, ok := as.Lhs[2].(*dst.Ident)
	if !ok || rule.IsBlank(errID) {
		return nil, false
	}
	errObj := p.ObjectOf(errID)
	cond, ok := ifs.Cond.(*dst.BinaryExpr)
	if !ok || errObj == nil || (cond.Op != token.EQL && cond.Op != token.NEQ) {
		return nil, false
	}
	if x, ok := cond.X.(*dst.Ident); !ok || p.ObjectOf(x) != errObj {
		return nil, false
	}
	if y, ok := cond.Y.(*dst.Ident); !ok || y.Name != "nil" || y.Path != "" {
		return nil, false
	}
	var live dst.Stmt
	if cond.Op == token.EQL {
		live = ifs.Body
	} else if ifs.Else != nil {
		live = ifs.Else
	}
	// err is scoped to the if: only the dead branch may read it.
	if refers(p, live, errObj) {
		return nil, false
	}
	// The values key and val stand for.
	subst := map[types.Object]*dst.Ident{}
	for i := 0; i < 2; i++ {
		arg, ok := call.Args[i].(*dst.Ident)
		if !ok {
			return nil, false
		}
		if o := p.ObjectOf(arg); o == nil || assigned(p, live, o) || shadowed(p, live, arg.Name, o) {
			return nil, false
		}
		id, ok := as.Lhs[i].(*dst.Ident)
		if !ok {
			return nil, false
		}
		if rule.IsBlank(id) {
			continue
		}
		o := p.ObjectOf(id)
		if o == nil || assigned(p, live, o) {
			return nil, false
		}
		subst[o] = arg
	}
	handled[call] = true
	p.Changed(ifs, change.Safe, "metadata.DecodeKeyValue(k, v) returns k, v and a nil error: its key and value are used directly and the branch for a non-nil error, which never ran, is dropped")
	if live != nil {
		replaceIdents(p, live, subst)
	}
	var out []dst.Stmt
	switch l := live.(type) {
	case nil:
	case *dst.BlockStmt:
		if declares(l.List) {
			out = []dst.Stmt{l}
		} else {
			out = l.List
		}
	default: // else if
		out = []dst.Stmt{l}
	}
	if len(out) > 0 {
		rule.MoveStmtDecs(ifs, out)
	}
	return out, true
}

// refers reports whether n mentions o.
func refers(p *rule.Pass, n dst.Node, o types.Object) bool {
	found := false
	if n != nil {
		dst.Inspect(n, func(x dst.Node) bool {
			if id, ok := x.(*dst.Ident); ok && p.ObjectOf(id) == o {
				found = true
			}
			return !found
		})
	}
	return found
}

// assigned reports whether n assigns o or takes its address.
func assigned(p *rule.Pass, n dst.Node, o types.Object) bool {
	if n == nil {
		return false
	}
	is := func(e dst.Expr) bool {
		id, ok := e.(*dst.Ident)
		return ok && p.ObjectOf(id) == o
	}
	found := false
	dst.Inspect(n, func(x dst.Node) bool {
		switch x := x.(type) {
		case *dst.AssignStmt:
			for _, l := range x.Lhs {
				found = found || is(l)
			}
		case *dst.IncDecStmt:
			found = found || is(x.X)
		case *dst.UnaryExpr:
			found = found || (x.Op == token.AND && is(x.X))
		case *dst.RangeStmt:
			found = found || (x.Key != nil && is(x.Key)) || (x.Value != nil && is(x.Value))
		}
		return !found
	})
	return found
}

// replaceIdents points each identifier referring to a key of subst at
// its value instead.
func replaceIdents(p *rule.Pass, n dst.Node, subst map[types.Object]*dst.Ident) {
	dst.Inspect(n, func(x dst.Node) bool {
		if id, ok := x.(*dst.Ident); ok {
			if v, ok := subst[p.ObjectOf(id)]; ok {
				id.Name, id.Path = v.Name, v.Path
			}
		}
		return true
	})
}

// shadowed reports whether n spells name for anything but o, so a use
// of o put there could refer to something else.
func shadowed(p *rule.Pass, n dst.Node, name string, o types.Object) bool {
	found := false
	if n != nil {
		dst.Inspect(n, func(x dst.Node) bool {
			if id, ok := x.(*dst.Ident); ok && id.Name == name && id.Path == "" && p.ObjectOf(id) != o {
				found = true
			}
			return !found
		})
	}
	return found
}

// declares reports whether a statement list declares names at its top
// level (which inlining would move into the enclosing scope).
func declares(list []dst.Stmt) bool {
	for _, s := range list {
		switch s := s.(type) {
		case *dst.AssignStmt:
			if s.Tok == token.DEFINE {
				return true
			}
		case *dst.DeclStmt, *dst.LabeledStmt:
			return true
		}
	}
	return false
}
