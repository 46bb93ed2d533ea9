package rule

import (
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
)

// ValueErr describes how a rule replaces a call that returned (value,
// error) with an API that returns only the value and checks validity
// separately, such as ptypes.TimestampProto → timestamppb.New + CheckValid.
type ValueErr struct {
	// Match selects the v1 function.
	Match func(*types.Func) bool
	// Build returns the new value expression for call, and a function that
	// builds the error expression from an expression denoting the value.
	// ok=false reports the call as not rewritable with reason why.
	Build func(call *dst.CallExpr) (value dst.Expr, errOf func(v dst.Expr) dst.Expr, ok bool, why string)
	// FreshName is the name of the variable a return statement that needs
	// the value twice declares ("ts" for timestamps; Pass.Names numbers it
	// where the function already uses it).
	FreshName string
	// Risk and Message describe the change.
	Risk    change.Risk
	Message string
	// Requires are module path → minimum version pairs the new code needs.
	Requires map[string]string
}

// RewriteValueErr rewrites every call matched by v in the shapes where the
// error result has a place to go:
//
//	a, err := F(x)           →  a := New(x); err := a.CheckValid()
//	a, err = F(x)            →  a = New(x); err = a.CheckValid()
//	if a, err := F(x); cond  →  a := New(x) hoisted; if err := a.CheckValid(); cond
//	return F(x)              →  a := New(x); return a, a.CheckValid()
//
// Calls in any other position (a method value, an argument of a call
// taking two values, an init statement whose variable cannot be hoisted)
// are reported with the reason, never guessed.
func (p *Pass) RewriteValueErr(v ValueErr) {
	done := map[*dst.CallExpr]bool{}
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for i, s := range list {
			out = append(out, p.valueErrStmt(v, list, i, s, done)...)
		}
		return out
	})
	calledFuns := map[dst.Node]bool{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.Ident)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			calledFuns[n.Fun] = true
			if !done[n] && v.Match(p.Callee(n)) {
				p.Report(n, change.Manual, "not rewritten: the call's error result is used in a way protolift cannot restructure safely; rewrite it as `v := <new call>` followed by an explicit validity check", "")
				done[n] = true
			}
		case *dst.Ident:
			if f, ok := p.ObjectOf(n).(*types.Func); ok && v.Match(f) && n.Path != "" {
				if !calledFuns[n] {
					p.Report(n, change.Manual, "not rewritten: the function is used as a value; its replacement has a different signature (no error result)", "")
				}
			}
		}
		return true
	})
}

func (p *Pass) valueErrStmt(v ValueErr, list []dst.Stmt, i int, s dst.Stmt, done map[*dst.CallExpr]bool) []dst.Stmt {
	build := func(as *dst.AssignStmt) ([]dst.Stmt, bool) {
		call := p.matchedSingleCall(v, as.Rhs)
		if call == nil || len(as.Lhs) != 2 {
			return nil, false
		}
		value, errOf, ok, why := v.Build(call)
		if !ok {
			p.Report(call, change.Manual, "not rewritten: "+why, "")
			done[call] = true
			return nil, false
		}
		MoveDecs(call, value)
		p.Changed(as, v.Risk, v.Message)
		stmts, ok := p.SplitValueErr(as, value, errOf)
		if !ok {
			p.Report(call, change.Manual, "not rewritten: the value is assigned to an expression that cannot be read back safely; assign it to a variable first", "")
			done[call] = true
			return nil, false
		}
		done[call] = true
		p.require(v.Requires)
		return stmts, true
	}
	switch s := s.(type) {
	case *dst.AssignStmt:
		if out, ok := build(s); ok {
			return out
		}
	case *dst.IfStmt:
		if as, ok := s.Init.(*dst.AssignStmt); ok {
			if out := p.hoistInit(v, list, i, as, func(init dst.Stmt) { s.Init = init }, build); out != nil {
				return append(out, s)
			}
		}
	case *dst.SwitchStmt:
		if as, ok := s.Init.(*dst.AssignStmt); ok {
			if out := p.hoistInit(v, list, i, as, func(init dst.Stmt) { s.Init = init }, build); out != nil {
				return append(out, s)
			}
		}
	case *dst.ReturnStmt:
		call := p.matchedSingleCall(v, s.Results)
		if call == nil {
			break
		}
		value, errOf, ok, why := v.Build(call)
		if !ok {
			p.Report(call, change.Manual, "not rewritten: "+why, "")
			done[call] = true
			break
		}
		MoveDecs(call, value)
		name := p.Names().Fresh(s, v.FreshName)
		p.Changed(s, v.Risk, v.Message)
		done[call] = true
		p.require(v.Requires)
		decl := DefineStmt(Exprs(dst.NewIdent(name)), value)
		ret := &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent(name), errOf(dst.NewIdent(name))}}
		out := []dst.Stmt{decl, ret}
		MoveStmtDecs(s, out)
		return out
	}
	return []dst.Stmt{s}
}

// hoistInit handles `if a, err := F(x); cond {`: the value assignment moves
// before the statement (only when its variable's name appears nowhere else
// in the enclosing block, so hoisting cannot shadow or clash) and the
// error check stays in the init.
func (p *Pass) hoistInit(v ValueErr, list []dst.Stmt, i int, as *dst.AssignStmt, setInit func(dst.Stmt), build func(*dst.AssignStmt) ([]dst.Stmt, bool)) []dst.Stmt {
	call := p.matchedSingleCall(v, as.Rhs)
	if call == nil || len(as.Lhs) != 2 {
		return nil
	}
	if id, ok := as.Lhs[0].(*dst.Ident); ok && !IsBlank(id) {
		for j, other := range list {
			if j != i && nameUsed([]dst.Stmt{other}, id.Name) {
				return nil // reported as not rewritable by the leftover pass
			}
		}
	}
	stmts, ok := build(as)
	if !ok {
		return nil
	}
	if len(stmts) == 1 {
		// Only one of value and error was kept: it stays in the init.
		setInit(stmts[0])
		return []dst.Stmt{}
	}
	stmts[1].Decorations().Before = dst.None
	stmts[1].Decorations().After = dst.None
	setInit(stmts[1])
	hoisted := stmts[0]
	hoisted.Decorations().After = dst.NewLine
	return []dst.Stmt{hoisted}
}

func (p *Pass) matchedSingleCall(v ValueErr, rhs []dst.Expr) *dst.CallExpr {
	if len(rhs) != 1 {
		return nil
	}
	call, ok := rhs[0].(*dst.CallExpr)
	if !ok || !v.Match(p.Callee(call)) {
		return nil
	}
	return call
}

func (p *Pass) require(m map[string]string) {
	for path, ver := range m {
		p.Require(path, ver)
	}
}

// nameUsed reports whether any identifier in stmts is spelled name.
func nameUsed(stmts []dst.Stmt, name string) bool {
	found := false
	for _, s := range stmts {
		dst.Inspect(s, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok && id.Name == name && id.Path == "" {
				found = true
			}
			return !found
		})
	}
	return found
}
