package protov1

// This file is the value part of protov1.proto.extensions
// (proto_extensions.go): the uses of a rewritten GetExtension result are
// planned and edited to follow APIv2's by-value scalar representation.

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// valuePlan lists the uses of one GetExtension result variable and how
// each changes with APIv2's value representation of scalar extensions.
type valuePlan struct {
	// derefs are `*v.(*T)` (T scalar): → v.(T).
	derefs []*dst.StarExpr
	// asserts are `s, ok := v.(*T)` and `s := v.(*T)`: → v.(T).
	asserts []*dst.AssignStmt
	// ptrDerefs are `*s` for such an s: → s.
	ptrDerefs []*dst.StarExpr
	// nilTests are `s == nil` / `s != nil`: → !ok / ok.
	nilTests map[*dst.BinaryExpr]string
	// unusedPtr are the assignments whose s is left unused once its nil
	// tests are gone: s becomes _.
	unusedPtr []*dst.AssignStmt
}

// presentNodes returns the nodes of stmts and everything under them: the
// places where the extension is known to be present.
func presentNodes(stmts ...dst.Stmt) map[dst.Node]bool {
	out := map[dst.Node]bool{}
	for _, s := range stmts {
		if s == nil {
			continue
		}
		dst.Inspect(s, func(n dst.Node) bool {
			if n != nil {
				out[n] = true
			}
			return true
		})
	}
	return out
}

// present returns where the value of `v, err := proto.GetExtension(…)`
// (list[i]; or, with hoisted, the init of that if statement, list[i]) is
// known to come from a present extension: after a guard or an err test
// whose missing branch leaves, and inside a branch taken only when err
// is nil. v1 gave a nil value for a missing extension, APIv2 the default,
// so only there do a comma-ok assertion's ok values agree.
func (x *extPass) present(list []dst.Stmt, i int, call *dst.CallExpr, errObj types.Object, hoisted *dst.IfStmt) map[dst.Node]bool {
	if i > 0 && x.hasGuard(list[i-1], call) {
		return presentNodes(list[i+1:]...)
	}
	if errObj == nil {
		return nil
	}
	branches := func(cond dst.Expr, body *dst.BlockStmt, els dst.Stmt, after []dst.Stmt) map[dst.Node]bool {
		missing, ok := x.errTest(cond, errObj)
		switch {
		case !ok:
			return nil
		case !missing:
			return presentNodes(body)
		case terminates(body):
			return presentNodes(append([]dst.Stmt{els}, after...)...)
		}
		return presentNodes(els)
	}
	if hoisted != nil {
		return branches(hoisted.Cond, hoisted.Body, hoisted.Else, list[i+1:])
	}
	if i+1 >= len(list) {
		return nil
	}
	switch s := list[i+1].(type) {
	case *dst.IfStmt:
		if s.Init == nil {
			return branches(s.Cond, s.Body, s.Else, list[i+2:])
		}
	case *dst.SwitchStmt:
		if s.Init != nil || s.Tag != nil || len(s.Body.List) == 0 {
			return nil
		}
		c1, _ := s.Body.List[0].(*dst.CaseClause)
		if c1 == nil || len(c1.List) != 1 {
			return nil
		}
		if missing, ok := x.errTest(c1.List[0], errObj); !ok || !missing || !terminates(&dst.BlockStmt{List: c1.Body}) {
			return nil
		}
		out := presentNodes(list[i+2:]...)
		for _, c := range s.Body.List[1:] {
			for n := range presentNodes(c) {
				out[n] = true
			}
		}
		return out
	}
	return nil
}

// commaOk reports whether n, the parent of a type assertion, takes its
// two-value form.
func commaOk(n dst.Node) bool {
	switch n := n.(type) {
	case *dst.AssignStmt:
		return len(n.Lhs) == 2
	case *dst.ValueSpec:
		return len(n.Names) == 2
	}
	return false
}

// planUses checks that every use of the GetExtension value variable lv
// reads it in a way that can follow APIv2's representation, and returns
// the edits, or why not. A variable whose uses cannot all be rewritten
// keeps the v1 call: rewriting only the call would make a pointer
// assertion fail at run time without a word.
func (x *extPass) planUses(lv dst.Expr, present map[dst.Node]bool) (*valuePlan, string) {
	plan := &valuePlan{nilTests: map[*dst.BinaryExpr]string{}}
	if rule.IsBlank(lv) {
		return plan, ""
	}
	id, ok := lv.(*dst.Ident)
	if !ok || !x.IsNewDef(id) || x.ObjectOf(id) == nil {
		return nil, "the value is stored in an existing variable or expression whose other uses cannot be followed"
	}
	in := x.Inspector()
	v := x.ObjectOf(id)
	for _, use := range x.usesOf(in, v) {
		ta, ok := in.Parent(use).(*dst.TypeAssertExpr)
		if !ok || ta.X != dst.Expr(use) {
			return nil, "the value is used without a type assertion (a scalar or enum extension is a pointer in v1 and a value in APIv2)"
		}
		if ta.Type == nil {
			return nil, "the value is used in a type switch (its *T cases would have to become T)"
		}
		t := x.TypeOf(ta.Type)
		st, isStar := ta.Type.(*dst.StarExpr)
		if commaOk(in.Parent(ta)) && !present[in.Parent(ta)] {
			return nil, "a comma-ok assertion of the value may run when the extension is missing, where v1 gave nil (ok false) and APIv2 gives the default value (ok true); guard it with proto.HasExtension first"
		}
		switch {
		case t == nil:
			return nil, "the type of an assertion on the value is unknown"
		case isStar && scalarKind(x.TypeOf(st.X)):
			// Handled below.
		case types.IsInterface(t) || scalarKind(t):
			return nil, "the value is asserted to " + typeString(t) + ", which a v1 scalar pointer and an APIv2 value satisfy differently"
		default:
			continue // messages and repeated fields: the same type in both
		}
		switch up := in.Parent(ta).(type) {
		case *dst.StarExpr:
			if !plainRead(in, up) {
				return nil, "a dereferenced assertion of the value is written to or has its address taken"
			}
			plan.derefs = append(plan.derefs, up)
			continue
		case *dst.AssignStmt:
			if why := x.planPtr(up, ta, in, plan); why != "" {
				return nil, why
			}
			continue
		}
		return nil, "the value's pointer assertion " + typeString(t) + " is used as a pointer, which APIv2 does not give"
	}
	return plan, ""
}

// planPtr plans `s, ok := v.(*T)` (or `s := v.(*T)`): s must only be
// dereferenced or compared with nil (where ok says the same).
func (x *extPass) planPtr(as *dst.AssignStmt, ta *dst.TypeAssertExpr, in *rule.Inspector, plan *valuePlan) string {
	const why = "the pointer asserted from the value is used in a way that has no APIv2 equivalent (only *s and s == nil tests next to ok can follow)"
	if as.Tok != token.DEFINE || len(as.Rhs) != 1 || as.Rhs[0] != dst.Expr(ta) || len(as.Lhs) > 2 {
		return why
	}
	plan.asserts = append(plan.asserts, as)
	if rule.IsBlank(as.Lhs[0]) {
		return ""
	}
	s, ok := as.Lhs[0].(*dst.Ident)
	if !ok || !x.IsNewDef(s) {
		return why
	}
	var okObj types.Object
	if len(as.Lhs) == 2 && !rule.IsBlank(as.Lhs[1]) {
		okID, _ := as.Lhs[1].(*dst.Ident)
		if okID == nil || !x.IsNewDef(okID) {
			return why
		}
		okObj = x.ObjectOf(okID)
		for _, use := range x.usesOf(in, okObj) {
			if !plainRead(in, use) {
				return why
			}
		}
	}
	derefs := 0
	for _, use := range x.usesOf(in, x.ObjectOf(s)) {
		switch up := in.Parent(use).(type) {
		case *dst.StarExpr:
			if !plainRead(in, up) {
				return why
			}
			plan.ptrDerefs = append(plan.ptrDerefs, up)
			derefs++
			continue
		case *dst.BinaryExpr:
			other := up.Y
			if up.Y == dst.Expr(use) {
				other = up.X
			}
			nilID, isID := unparen(other).(*dst.Ident)
			if okObj == nil || (up.Op != token.EQL && up.Op != token.NEQ) || !isID || nilID.Name != "nil" || !rule.IsUntypedNil(x.TypeOf(nilID)) || !x.resolves(use, okObj) {
				return why
			}
			// v1's GetExtension never returns a nil pointer: s is nil
			// exactly when the assertion failed.
			plan.nilTests[up] = okObj.Name()
			continue
		}
		return why
	}
	if derefs == 0 {
		plan.unusedPtr = append(plan.unusedPtr, as)
	}
	return ""
}

// resolves reports whether obj's name, written where at is, refers to obj.
func (x *extPass) resolves(at *dst.Ident, obj types.Object) bool {
	a := x.Ast(at)
	if a == nil {
		return false
	}
	scope := x.Pkg.Types.Scope().Innermost(a.Pos())
	if scope == nil {
		return false
	}
	_, o := scope.LookupParent(obj.Name(), a.Pos())
	return o == obj
}

// plainRead reports whether n is only read: not assigned to, incremented
// or addressed.
func plainRead(in *rule.Inspector, n dst.Node) bool {
	for {
		p, ok := in.Parent(n).(*dst.ParenExpr)
		if !ok {
			break
		}
		n = p
	}
	switch p := in.Parent(n).(type) {
	case *dst.AssignStmt:
		for _, l := range p.Lhs {
			if l == n {
				return false
			}
		}
	case *dst.IncDecStmt:
		return false
	case *dst.UnaryExpr:
		return p.Op != token.AND
	case *dst.RangeStmt:
		return p.Key != n && p.Value != n
	}
	return true
}

func (x *extPass) commit(plan *valuePlan) {
	if plan != nil {
		x.values = append(x.values, plan)
	}
}

// fixValueUses applies the planned edits of the rewritten GetExtension
// results; it runs after the statement pass, which may still move the
// statements holding them.
func (x *extPass) fixValueUses() {
	derefs := map[*dst.StarExpr]bool{}
	ptrDerefs := map[*dst.StarExpr]bool{}
	nilTests := map[*dst.BinaryExpr]string{}
	for _, plan := range x.values {
		for _, as := range plan.asserts {
			ta := as.Rhs[0].(*dst.TypeAssertExpr)
			x.Changed(ta, change.Safe, "scalar extension values are not pointers in APIv2: v.(*T) → v.(T)")
			ta.Type = ta.Type.(*dst.StarExpr).X
		}
		for _, as := range plan.unusedPtr {
			as.Lhs[0] = dst.NewIdent("_")
		}
		for _, d := range plan.derefs {
			derefs[d] = true
		}
		for _, d := range plan.ptrDerefs {
			ptrDerefs[d] = true
		}
		for b, ok := range plan.nilTests {
			nilTests[b] = ok
		}
	}
	if len(derefs)+len(ptrDerefs)+len(nilTests) == 0 {
		return
	}
	dstutil.Apply(x.File, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.StarExpr:
			switch {
			case derefs[n]:
				ta := unparen(n.X).(*dst.TypeAssertExpr)
				x.Changed(n, change.Safe, "scalar extension values are not pointers in APIv2: *v.(*T) → v.(T)")
				ta.Type = ta.Type.(*dst.StarExpr).X
				rule.MoveDecs(n, ta)
				c.Replace(ta)
				return false
			case ptrDerefs[n]:
				x.Changed(n, change.Safe, "the asserted extension value is no longer a pointer: *s → s")
				rule.MoveDecs(n, n.X)
				c.Replace(n.X)
				return false
			}
		case *dst.BinaryExpr:
			if ok, found := nilTests[n]; found {
				x.Changed(n, change.Safe, "the asserted extension value is no longer a pointer: its nil test becomes a test of ok")
				var e dst.Expr = dst.NewIdent(ok)
				if n.Op == token.EQL {
					e = &dst.UnaryExpr{Op: token.NOT, X: e}
				}
				rule.MoveDecs(n, e)
				c.Replace(e)
				return false
			}
		}
		return true
	}, func(c *dstutil.Cursor) bool {
		// `!ok || !ok` left by a replaced nil test: keep one.
		if b, ok := c.Node().(*dst.BinaryExpr); ok && (b.Op == token.LOR || b.Op == token.LAND) && sameOkTest(b.X, b.Y) {
			rule.MoveDecs(b, b.X)
			c.Replace(b.X)
		}
		return true
	})
}

// sameOkTest reports whether a and b are both `ok` or both `!ok` for the
// same identifier name (only used on the tests fixValueUses produces and
// their neighbours, where the names resolve alike).
func sameOkTest(a, b dst.Expr) bool {
	a, b = unparen(a), unparen(b)
	ua, aNot := a.(*dst.UnaryExpr)
	ub, bNot := b.(*dst.UnaryExpr)
	if aNot != bNot {
		return false
	}
	if aNot {
		if ua.Op != token.NOT || ub.Op != token.NOT {
			return false
		}
		a, b = unparen(ua.X), unparen(ub.X)
	}
	ia, ok1 := a.(*dst.Ident)
	ib, ok2 := b.(*dst.Ident)
	return ok1 && ok2 && ia.Path == "" && ib.Path == "" && ia.Name == ib.Name
}
