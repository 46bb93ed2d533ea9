package protov1

// This file is the GetExtension part of protov1.proto.extensions
// (proto_extensions.go): `v, err := proto.GetExtension(m, xt)` and the
// tests of err right after it become the APIv2 call and HasExtension
// guards, or are refused with the reason.

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

func typeString(t types.Type) string {
	if t == nil {
		return "T"
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// nameUsedElsewhere reports whether an identifier spelled name appears in
// a statement of list other than except.
func nameUsedElsewhere(list []dst.Stmt, except dst.Stmt, name string) bool {
	found := false
	for _, s := range list {
		if s == except {
			continue
		}
		dst.Inspect(s, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok && id.Name == name && id.Path == "" {
				found = true
			}
			return !found
		})
	}
	return found
}

const getExtMsg = "proto.GetExtension → APIv2 (no error: a missing extension yields its default or zero value; scalar and enum values are no longer pointers)"

const deadErrMsg = "; the remaining `err != nil` branch is dropped: APIv2's GetExtension cannot fail (a mismatched extension panics instead of returning an error)"

// getExt rewrites `v, err := proto.GetExtension(m, xt)` (list[i]) together
// with the statements after it that test err:
//
//	if err != nil / == nil / == ErrMissingExtension {…}   → HasExtension guard
//	if err == ErrMissingExtension {…; return}; if err != nil {…}
//	                                                       → guard; the second if is dead
//	switch { case err == ErrMissingExtension: …; case err != nil: … }
//	                                                       → guard; the second case is dead
//
// and drops an err test that follows an identical `if !HasExtension` guard.
// skip counts the statements after list[i] that out replaces.
func (x *extPass) getExt(as *dst.AssignStmt, call *dst.CallExpr, list []dst.Stmt, i int) (out []dst.Stmt, skip int, ok bool) {
	if len(call.Args) != 2 {
		return nil, 0, false
	}
	lv, le := as.Lhs[0], as.Lhs[1]
	refuse := func(msg, suggestion string) ([]dst.Stmt, int, bool) {
		x.Report(call, change.Manual, msg, suggestion)
		x.done[call] = true
		return nil, 0, false
	}
	const guardSuggestion = "if !proto.HasExtension(m, xt) {\n\t// missing\n}\nv := proto.GetExtension(m, xt)"
	if id, ok := lv.(*dst.Ident); ok && !rule.IsBlank(id) && (usesName(call.Args[0], id.Name) || usesName(call.Args[1], id.Name)) {
		return refuse("not rewritten: the value's variable "+id.Name+" is also named in the call, so the HasExtension guard after it would see the value instead", "")
	}
	// The value's uses are checked first: errTests edits the statements.
	var errObj types.Object
	if !rule.IsBlank(le) {
		errObj = x.ObjectOf(le.(*dst.Ident))
	}
	plan, why := x.planUses(lv, x.present(list, i, call, errObj, nil))
	if why != "" {
		return refuse("not rewritten: "+why+"; rewriting the call alone would change what the program does", "")
	}
	var rest []dst.Stmt // the err tests, rewritten
	msg := getExtMsg
	if !rule.IsBlank(le) {
		if as.Tok != token.DEFINE || !x.IsNewDef(le) || i+1 >= len(list) {
			return refuse("not rewritten: APIv2's GetExtension has no error result; only `v, err := proto.GetExtension(m, xt)` whose new err is tested by the statements right after it (err != nil, == nil, == proto.ErrMissingExtension) becomes a HasExtension guard", guardSuggestion)
		}
		if !x.SideEffectFree(call.Args[0]) || !x.SideEffectFree(call.Args[1]) {
			return refuse("not rewritten: the message or extension expression cannot be evaluated twice (for the HasExtension guard); assign it to a variable first", guardSuggestion)
		}
		rest, skip, why = x.errTests(list, i, call, errObj)
		if why != "" {
			return refuse("not rewritten: "+why+"; use proto.HasExtension(m, xt) explicitly", guardSuggestion)
		}
		if skip > len(rest) {
			msg += deadErrMsg
		}
	}
	x.done[call] = true
	x.Changed(as, change.Review, msg)
	toV2Proto(x.Pass, unparen(call.Fun).(*dst.Ident))
	call.Args[0] = v2Arg(x.Pass, call.Args[0])
	x.commit(plan)
	switch {
	case rule.IsBlank(lv):
		// The value was not used and the call has no other effect.
		if rule.IsBlank(le) {
			out = []dst.Stmt{rule.AssignStmt(rule.Exprs(dst.NewIdent("_")), call)}
		}
	default:
		out = []dst.Stmt{x.Assign(as, lv, call)}
	}
	if len(out) > 0 {
		rule.MoveStmtDecs(as, out)
	} else if len(rest) > 0 {
		rule.MoveStmtDecs(as, rest[:1])
	}
	return append(out, rest...), skip, true
}

// errTests matches the statements after list[i] that test errObj (the
// error of GetExtension call) and returns their rewrite and how many
// statements it replaces, or why they cannot be rewritten.
func (x *extPass) errTests(list []dst.Stmt, i int, call *dst.CallExpr, errObj types.Object) (out []dst.Stmt, skip int, why string) {
	total := x.uses(errObj)
	guard := func(missing bool) dst.Expr {
		has := rule.Call(rule.QualifiedIdent(v2Proto, "HasExtension"), x.v2ArgCopy(call.Args[0]), rule.Clone(call.Args[1]))
		if missing {
			return &dst.UnaryExpr{Op: token.NOT, X: has}
		}
		return has
	}
	usesIn := func(nodes ...dst.Node) int {
		n := 0
		for _, node := range nodes {
			dst.Inspect(node, func(c dst.Node) bool { n += x.countUse(c, errObj); return true })
		}
		return n
	}
	next := list[i+1]
	// if err == ErrMissingExtension {…; return}; if err != nil {…}
	if if1, ok := next.(*dst.IfStmt); ok && i+2 < len(list) && if1.Init == nil && if1.Else == nil {
		if2, ok := list[i+2].(*dst.IfStmt)
		m1, ok1 := x.errTest(if1.Cond, errObj)
		if ok && ok1 && m1 && if2.Init == nil && if2.Else == nil && x.isErrNotNil(if2.Cond, errObj) &&
			terminates(if1.Body) && usesIn(if1.Cond, if2.Cond, if2.Body) == total && usesIn(if1.Cond) == 1 {
			x.Changed(if2, change.Review, "dead in APIv2: GetExtension no longer returns an error other than a missing extension (a mismatched extension panics)")
			if1.Cond = guard(true)
			return []dst.Stmt{if1}, 2, ""
		}
	}
	switch s := next.(type) {
	case *dst.IfStmt:
		missing, ok := x.errTest(s.Cond, errObj)
		if ok && missing && s.Init == nil && s.Else == nil && i > 0 && x.hasGuard(list[i-1], call) && usesIn(s) == total {
			// The earlier `if !HasExtension` guard already left, so for a
			// well-formed message v1's test could only see a mismatched
			// extension, which panics in APIv2: the whole branch is dead,
			// also where it wraps or returns err.
			x.Changed(s, change.Review, "dead after the HasExtension guard above: APIv2's GetExtension does not return an error for a mismatched extension (it panics)")
			return nil, 1, ""
		}
		var nilArgs []nilArg
		if ok {
			nilArgs, ok = x.nilErrArgs(errObj, s, missing)
		}
		if !ok || s.Init != nil || total != 1+len(nilArgs) || usesIn(s.Cond) != 1 {
			return nil, 0, "the error is used beyond one test in the statements that follow"
		}
		x.setNil(nilArgs)
		s.Cond = guard(missing)
		return []dst.Stmt{s}, 1, ""
	case *dst.SwitchStmt:
		if s.Init != nil || s.Tag != nil || len(s.Body.List) < 2 || len(s.Body.List) > 3 {
			break
		}
		c1, _ := s.Body.List[0].(*dst.CaseClause)
		c2, _ := s.Body.List[1].(*dst.CaseClause)
		var def *dst.CaseClause
		if len(s.Body.List) == 3 {
			def, _ = s.Body.List[2].(*dst.CaseClause)
			if def == nil || def.List != nil {
				break
			}
		}
		if c1 == nil || c2 == nil || len(c1.List) != 1 || len(c2.List) != 1 {
			break
		}
		m1, ok1 := x.errTest(c1.List[0], errObj)
		if !ok1 || !m1 || !x.isErrNotNil(c2.List[0], errObj) || usesIn(c1.List[0], c2.List[0], &dst.BlockStmt{List: c2.Body}) != total || usesIn(c1.List[0]) != 1 {
			break
		}
		if breaksOut(c1.Body) || (def != nil && breaksOut(def.Body)) {
			return nil, 0, "a case of the switch on the error uses break or fallthrough, which would mean something else in an if statement"
		}
		x.Changed(s, change.Review, "switch on the error → HasExtension guard; its `err != nil` case is dead in APIv2 (a mismatched extension panics)")
		out := &dst.IfStmt{Cond: guard(true), Body: &dst.BlockStmt{List: c1.Body}}
		if def != nil {
			out.Else = &dst.BlockStmt{List: def.Body}
		}
		rule.MoveStmtDecs(s, []dst.Stmt{out})
		return []dst.Stmt{out}, 1, ""
	}
	return nil, 0, "the error is not tested by the if statement (or switch) right after the call alone"
}

// isErrNotNil reports whether cond is `err != nil`.
func (x *extPass) isErrNotNil(cond dst.Expr, errObj types.Object) bool {
	b, ok := unparen(cond).(*dst.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return false
	}
	id, ok := unparen(b.X).(*dst.Ident)
	n, ok2 := unparen(b.Y).(*dst.Ident)
	return ok && ok2 && x.ObjectOf(id) == errObj && n.Name == "nil" && n.Path == "" && rule.IsUntypedNil(x.TypeOf(n))
}

// hasGuard reports whether prev is `if !proto.HasExtension(m, xt) {…}`
// that always leaves, for the message and extension of call.
func (x *extPass) hasGuard(prev dst.Stmt, call *dst.CallExpr) bool {
	s, ok := prev.(*dst.IfStmt)
	if !ok || s.Init != nil || s.Else != nil || !terminates(s.Body) {
		return false
	}
	u, ok := unparen(s.Cond).(*dst.UnaryExpr)
	if !ok || u.Op != token.NOT {
		return false
	}
	has, ok := unparen(u.X).(*dst.CallExpr)
	if !ok || v1ProtoFunc(x.Callee(has)) != "HasExtension" || len(has.Args) != 2 {
		return false
	}
	return x.sameExpr(has.Args[0], call.Args[0]) && x.sameExpr(has.Args[1], call.Args[1])
}

// sameExpr reports whether a and b are the same pure expression: the
// same variables and fields.
func (x *extPass) sameExpr(a, b dst.Expr) bool {
	a, b = unparen(a), unparen(b)
	switch a := a.(type) {
	case *dst.Ident:
		b, ok := b.(*dst.Ident)
		o := x.ObjectOf(a)
		return ok && o != nil && o == x.ObjectOf(b)
	case *dst.SelectorExpr:
		b, ok := b.(*dst.SelectorExpr)
		return ok && a.Sel.Name == b.Sel.Name && x.sameExpr(a.X, b.X)
	case *dst.StarExpr:
		b, ok := b.(*dst.StarExpr)
		return ok && x.sameExpr(a.X, b.X)
	case *dst.UnaryExpr:
		b, ok := b.(*dst.UnaryExpr)
		return ok && a.Op == b.Op && a.Op == token.AND && x.sameExpr(a.X, b.X)
	}
	return false
}

// terminates reports whether the block always leaves: it ends in a
// return, a branch statement or a call of panic.
func terminates(b *dst.BlockStmt) bool {
	if b == nil || len(b.List) == 0 {
		return false
	}
	switch s := b.List[len(b.List)-1].(type) {
	case *dst.ReturnStmt:
		return true
	case *dst.BranchStmt:
		return s.Tok != token.FALLTHROUGH
	case *dst.ExprStmt:
		c, ok := s.X.(*dst.CallExpr)
		if !ok {
			return false
		}
		id, ok := c.Fun.(*dst.Ident)
		return ok && id.Name == "panic" && id.Path == ""
	}
	return false
}

// breaksOut reports whether a case body has an unlabelled break that
// leaves the switch, or a fallthrough.
func breaksOut(body []dst.Stmt) bool {
	found := false
	walk := func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.ForStmt, *dst.RangeStmt, *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt, *dst.FuncLit:
			return false
		case *dst.BranchStmt:
			if (n.Tok == token.BREAK && n.Label == nil) || n.Tok == token.FALLTHROUGH {
				found = true
			}
		}
		return !found
	}
	for _, s := range body {
		dst.Inspect(s, walk)
	}
	return found
}

// v2ArgCopy is v2Arg for a copy of e: the wrapping is decided on e, which
// carries the type information its copy lacks.
func (x *extPass) v2ArgCopy(e dst.Expr) dst.Expr {
	if w := v2Arg(x.Pass, e); w != e {
		return rule.Call(rule.QualifiedIdent(v2Protoadapt, "MessageV2Of"), rule.Clone(e))
	}
	return rule.Clone(e)
}

// getExtInit rewrites `if v, err := proto.GetExtension(m, xt); <test of
// err> {` (s): the value moves before the if statement, whose condition
// becomes a HasExtension guard.
func (x *extPass) getExtInit(as *dst.AssignStmt, call *dst.CallExpr, check *dst.IfStmt, list []dst.Stmt) ([]dst.Stmt, bool) {
	if len(call.Args) != 2 {
		return nil, false
	}
	lv, le := as.Lhs[0], as.Lhs[1]
	refuse := func(msg string) ([]dst.Stmt, bool) {
		x.Report(call, change.Manual, msg, "")
		x.done[call] = true
		return nil, false
	}
	var newCond dst.Expr
	var nilArgs []nilArg
	if !rule.IsBlank(le) {
		errObj := x.ObjectOf(le.(*dst.Ident))
		missing, ok := x.errTest(check.Cond, errObj)
		if ok {
			nilArgs, ok = x.nilErrArgs(errObj, check, missing)
		}
		if !ok || as.Tok != token.DEFINE || !x.IsNewDef(le) || x.uses(errObj) != 1+len(nilArgs) || !x.SideEffectFree(call.Args[0]) || !x.SideEffectFree(call.Args[1]) {
			return refuse("not rewritten: the error is used beyond one test in the if statement (other than printed where it is nil), or the message/extension expressions cannot be evaluated twice; use proto.HasExtension(m, xt) explicitly")
		}
		has := rule.Call(rule.QualifiedIdent(v2Proto, "HasExtension"), x.v2ArgCopy(call.Args[0]), rule.Clone(call.Args[1]))
		newCond = has
		if missing {
			newCond = &dst.UnaryExpr{Op: token.NOT, X: has}
		}
	}
	if !rule.IsBlank(lv) {
		id, ok := lv.(*dst.Ident)
		if !ok || nameUsedElsewhere(list, check, id.Name) {
			return refuse("not rewritten: the value would have to move out of the if statement, and its name is used elsewhere in the block")
		}
	}
	var errObj types.Object
	if !rule.IsBlank(le) {
		errObj = x.ObjectOf(le.(*dst.Ident))
	}
	at := -1
	for j, s := range list {
		if s == dst.Stmt(check) {
			at = j
		}
	}
	if at < 0 {
		return refuse("not rewritten: the if statement holding the call was not found in its block")
	}
	plan, why := x.planUses(lv, x.present(list, at, call, errObj, check))
	if why != "" {
		return refuse("not rewritten: " + why + "; rewriting the call alone would change what the program does")
	}
	x.done[call] = true
	x.Changed(as, change.Review, getExtMsg)
	toV2Proto(x.Pass, unparen(call.Fun).(*dst.Ident))
	call.Args[0] = v2Arg(x.Pass, call.Args[0])
	x.commit(plan)
	x.setNil(nilArgs)
	var out []dst.Stmt
	switch {
	case rule.IsBlank(lv) && rule.IsBlank(le):
		out = []dst.Stmt{rule.AssignStmt(rule.Exprs(dst.NewIdent("_")), call)}
	case !rule.IsBlank(lv):
		out = []dst.Stmt{x.Assign(as, lv, call)}
	}
	rule.MoveStmtDecs(as, out)
	check.Init = nil
	if newCond != nil {
		check.Cond = newCond
	}
	if len(out) > 0 {
		out[0].Decorations().Before = check.Decorations().Before
		out[0].Decorations().Start = append(out[0].Decorations().Start, check.Decorations().Start...)
		out[0].Decorations().After = dst.NewLine
		check.Decorations().Before = dst.NewLine
		check.Decorations().Start = nil
	}
	if newCond == nil && len(out) == 0 {
		return []dst.Stmt{check}, true
	}
	if newCond == nil {
		// `if v, _ := …; cond` keeps its value in the init.
		check.Init = out[0]
		out[0].Decorations().Before, out[0].Decorations().After = dst.None, dst.None
		return []dst.Stmt{check}, true
	}
	return append(out, check), true
}

// errTest reports whether cond tests only err against nil or
// proto.ErrMissingExtension, and whether it is true when the extension is
// missing. Callers check that err is used nowhere else.
func (x *extPass) errTest(cond dst.Expr, obj types.Object) (missing, ok bool) {
	if obj == nil {
		return false, false
	}
	negate := false
	if u, ok := unparen(cond).(*dst.UnaryExpr); ok && u.Op == token.NOT {
		negate, cond = true, u.X
	}
	isErr := func(e dst.Expr) bool {
		id, ok := unparen(e).(*dst.Ident)
		return ok && x.ObjectOf(id) == obj
	}
	isMissing := func(e dst.Expr) bool {
		id, ok := unparen(e).(*dst.Ident)
		if !ok {
			return false
		}
		name, _ := v1ProtoRef(x.Pass, id)
		return name == "ErrMissingExtension"
	}
	isNil := func(e dst.Expr) bool {
		id, ok := unparen(e).(*dst.Ident)
		return ok && id.Name == "nil" && id.Path == "" && rule.IsUntypedNil(x.TypeOf(id))
	}
	switch c := unparen(cond).(type) {
	case *dst.BinaryExpr:
		if !isErr(c.X) || !(isNil(c.Y) || isMissing(c.Y)) {
			return false, false
		}
		switch c.Op {
		case token.NEQ:
			missing = isNil(c.Y)
		case token.EQL:
			missing = isMissing(c.Y)
		default:
			return false, false
		}
	case *dst.CallExpr:
		f := x.Callee(c)
		if !rule.IsPkgFunc(f, "errors", "Is") || len(c.Args) != 2 || !isErr(c.Args[0]) || !isMissing(c.Args[1]) {
			return false, false
		}
		missing = true
	default:
		return false, false
	}
	return missing != negate, true
}

// nilArg is an argument that becomes nil.
type nilArg struct {
	call *dst.CallExpr
	i    int
}

// nilErrArgs returns the uses of err in the branch of s taken when the
// extension is present (the body, or with missing the else branch), when
// each passes err to an interface parameter (printing it, mostly). There
// v1's err was nil: the only other error left, a mismatched extension,
// panics in APIv2. ok is false when err is used there otherwise.
func (x *extPass) nilErrArgs(errObj types.Object, s *dst.IfStmt, missing bool) ([]nilArg, bool) {
	var branch dst.Node = s.Body
	if missing {
		if s.Else == nil {
			return nil, true
		}
		branch = s.Else
	}
	ifaceArgs := interfaceArgs(x.Pass)
	var out []nilArg
	ok := true
	dst.Inspect(branch, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			for i, a := range n.Args {
				if id, isID := a.(*dst.Ident); isID && x.countUse(id, errObj) == 1 && ifaceArgs[a] {
					out = append(out, nilArg{n, i})
				}
			}
		case *dst.Ident:
			if x.countUse(n, errObj) == 1 {
				found := false
				for _, a := range out {
					found = found || a.call.Args[a.i] == dst.Expr(n)
				}
				ok = ok && found
			}
		}
		return ok
	})
	return out, ok
}

func (x *extPass) setNil(args []nilArg) {
	for _, a := range args {
		x.Changed(a.call.Args[a.i], change.Review, "err is nil here in v1 (the extension is present; a mismatched one panics in APIv2)")
		n := dst.NewIdent("nil")
		rule.MoveDecs(a.call.Args[a.i], n)
		a.call.Args[a.i] = n
	}
}
