package protov1

// This file is the SetExtension part of protov1.proto.extensions
// (proto_extensions.go): the value becomes APIv2's representation, the
// error check is dropped only where v1 could not fail, and an error that
// is used otherwise is recovered from APIv2's panic.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// droppableErrCheck reports whether as (`err := proto.SetExtension(…)`)
// feeds only check, `if err != nil { … }` without else, so the whole check
// can go: APIv2's SetExtension cannot return an error.
func (x *extPass) droppableErrCheck(as *dst.AssignStmt, check *dst.IfStmt) bool {
	id, ok := as.Lhs[0].(*dst.Ident)
	if !ok || as.Tok != token.DEFINE || !x.IsNewDef(id) || check.Else != nil {
		return false
	}
	if check.Init != nil && check.Init != dst.Stmt(as) {
		return false
	}
	obj := x.ObjectOf(id)
	c, isBin := unparen(check.Cond).(*dst.BinaryExpr)
	if obj == nil || !isBin || c.Op != token.NEQ {
		return false
	}
	lhs, ok := unparen(c.X).(*dst.Ident)
	rhs, ok2 := unparen(c.Y).(*dst.Ident)
	if !ok || !ok2 || x.ObjectOf(lhs) != obj || rhs.Name != "nil" || !rule.IsUntypedNil(x.TypeOf(rhs)) {
		return false
	}
	inside := 0
	dst.Inspect(check.Cond, func(n dst.Node) bool { inside += x.countUse(n, obj); return true })
	dst.Inspect(check.Body, func(n dst.Node) bool { inside += x.countUse(n, obj); return true })
	return inside == x.uses(obj)
}

// returnsOnlyError reports whether call is returned from a function whose
// only result is an error.
func (x *extPass) returnsOnlyError(call *dst.CallExpr) bool {
	var sig *types.Signature
	for a := range x.Inspector().Ancestors(call) {
		switch f := a.(type) {
		case *dst.FuncDecl:
			if o := x.ObjectOf(f.Name); o != nil {
				sig, _ = o.Type().(*types.Signature)
			}
		case *dst.FuncLit:
			sig, _ = x.TypeOf(f).(*types.Signature)
		}
		if _, isFunc := a.(*dst.FuncDecl); isFunc || sig != nil {
			break
		}
	}
	return sig != nil && sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type())
}

// setExt rewrites a SetExtension call in statement s to the APIv2 call as
// a statement; check, if not nil, is the dropped error test.
func (x *extPass) setExt(s dst.Stmt, call *dst.CallExpr, check *dst.IfStmt) []dst.Stmt {
	x.done[call] = true
	id, ok := unparen(call.Fun).(*dst.Ident)
	if !ok || len(call.Args) != 3 {
		x.Report(call, change.Manual, "not rewritten: unexpected shape of a proto.SetExtension call", "")
		return []dst.Stmt{s}
	}
	msg := "proto.SetExtension → APIv2 (no error result: a value of the wrong type panics, a nil message value clears the extension)"
	if check != nil {
		msg += "; the error check is dropped"
	}
	x.Changed(s, change.Review, msg)
	toV2Proto(x.Pass, id)
	call.Args[0] = v2Arg(x.Pass, call.Args[0])
	call.Args[2] = x.extValue(call.Args[2])
	out := []dst.Stmt{&dst.ExprStmt{X: call}}
	rule.MoveStmtDecs(s, out)
	if check != nil && check != s {
		d := out[0].Decorations()
		d.End = append(d.End, check.Decorations().End...)
		d.After = check.Decorations().After
	}
	return out
}

// extValue turns a v1 extension value (a pointer for scalar kinds) into
// the APIv2 value.
func (x *extPass) extValue(v dst.Expr) dst.Expr {
	t := x.TypeOf(v)
	ptr, ok := t.(*types.Pointer)
	if !ok || !scalarKind(ptr.Elem()) {
		return v
	}
	elem := ptr.Elem()
	conv := func(e dst.Expr) dst.Expr {
		if et := x.TypeOf(e); et != nil {
			if dt := x.dynamicType(e, et); dt != nil && types.Identical(dt, elem) {
				return e
			}
		}
		te := typeExpr(x.Pass, elem)
		if te == nil {
			return &dst.StarExpr{X: v}
		}
		return rule.Call(te, e)
	}
	switch e := unparen(v).(type) {
	case *dst.CallExpr:
		if name := v1ProtoFunc(x.Callee(e)); (scalarHelpers[name] || name == "Int") && len(e.Args) == 1 {
			return conv(e.Args[0])
		}
	case *dst.UnaryExpr:
		if e.Op == token.AND {
			return conv(e.X)
		}
	}
	x.Report(v, change.Review, "the pointer is dereferenced: APIv2 takes scalar extension values by value (v1 returned an error for a nil pointer; this now panics)", "")
	return &dst.StarExpr{X: v}
}

// dynamicType is the type e has once stored in an interface: type
// checking records an untyped constant argument with the parameter's type,
// but passed to `any` it takes its default type (5 is an int, not int32).
func (x *extPass) dynamicType(e dst.Expr, recorded types.Type) types.Type {
	a, _ := x.Ast(e).(ast.Expr)
	tv, ok := x.Info().Types[a]
	if !ok || tv.Value == nil {
		return recorded
	}
	switch e := unparen(e).(type) {
	case *dst.BasicLit:
		switch e.Kind {
		case token.INT:
			return types.Typ[types.Int]
		case token.FLOAT:
			return types.Typ[types.Float64]
		case token.CHAR:
			return types.Universe.Lookup("rune").Type()
		case token.STRING:
			return types.Typ[types.String]
		}
	case *dst.Ident:
		if c, ok := x.ObjectOf(e).(*types.Const); ok {
			return types.Default(c.Type())
		}
	}
	// Other constant expressions: force the conversion.
	return nil
}

// scalarKind reports whether APIv2 represents extension values of type t
// by value where v1 used a pointer (bools, numbers, strings, enums).
func scalarKind(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return false
	}
	switch b.Kind() {
	case types.Bool, types.Int32, types.Int64, types.Uint32, types.Uint64, types.Float32, types.Float64, types.String:
		return true
	}
	return false
}

// setExtValue rewrites a SetExtension call whose error is used as a value
// (`if err := proto.SetExtension(…); err == nil`, `return x, proto.SetExtension(…)`):
// APIv2 panics where v1 returned the error, so the call runs in a function
// literal that turns the panic back into the error. The call node is
// changed in place, which keeps it wherever it stands.
func (x *extPass) setExtValue(call *dst.CallExpr) {
	x.done[call] = true
	id, ok := unparen(call.Fun).(*dst.Ident)
	if !ok || len(call.Args) != 3 || call.Ellipsis {
		x.Report(call, change.Manual, "not rewritten: unexpected shape of a proto.SetExtension call", "")
		return
	}
	switch x.Inspector().Parent(call).(type) {
	case *dst.DeferStmt, *dst.GoStmt:
		x.Report(call, change.Manual, "not rewritten: in a go or defer statement APIv2's SetExtension would need a function literal, which evaluates the arguments later than v1 did; call SetExtension in a function literal with the arguments evaluated first", "")
		return
	}
	for _, a := range call.Args {
		if usesName(a, "err") {
			x.Report(call, change.Manual, "not rewritten: an argument refers to a variable named err, which the function literal that recovers APIv2's panic would shadow; rename it", "")
			return
		}
	}
	for _, name := range []string{"recover", "error", "nil"} {
		if !x.universal(call, name) {
			x.Report(call, change.Manual, "not rewritten: "+name+" is redeclared here, and the function literal that recovers APIv2's panic needs the predeclared one", "")
			return
		}
	}
	var value dst.Expr
	if vt := x.TypeOf(call.Args[2]); vt == nil || types.IsInterface(vt) || rule.IsUntypedNil(vt) {
		v, ok := x.checkedValue(call)
		if !ok {
			x.Report(call, change.Manual, "not rewritten: the value's static type "+typeString(vt)+" says nothing of its dynamic type, and the extension's Go type cannot be read from its declaration: v1 took a pointer for a scalar extension where APIv2 takes the value, so a value that worked would now fail", "convert the value to the extension's Go type first")
			return
		}
		value = v
	} else if pt, ok := vt.(*types.Pointer); ok && !scalarKind(pt.Elem()) && !x.nonNil(call.Args[2]) {
		x.Report(call, change.Manual, "not rewritten: the message value may be nil, which v1 rejected with an error where APIv2's SetExtension clears the extension without one", "if v == nil { /* v1's error */ } else { proto.SetExtension(m, xt, v) }")
		return
	}
	x.Changed(call, change.Review, "proto.SetExtension → APIv2 inside a function literal that recovers its panic (a value of the wrong type, an invalid message) as the error v1 returned; the error text differs")
	toV2Proto(x.Pass, id)
	if value == nil {
		value = x.extValue(call.Args[2])
	}
	set := rule.Call(id, v2Arg(x.Pass, call.Args[0]), call.Args[1], value)
	// set keeps the typed callee identifier: it must not be matched again.
	x.done[set] = true
	rec := dst.NewIdent("rec")
	recovered := &dst.IfStmt{
		Init: rule.DefineStmt(rule.Exprs(rec), rule.Call(dst.NewIdent("recover"))),
		Cond: rule.NotNil(dst.NewIdent("rec")),
		Body: &dst.BlockStmt{List: []dst.Stmt{rule.AssignStmt(rule.Exprs(dst.NewIdent("err")),
			rule.Call(rule.QualifiedIdent("fmt", "Errorf"), &dst.BasicLit{Kind: token.STRING, Value: `"%v"`}, dst.NewIdent("rec")))}},
	}
	lit := &dst.FuncLit{
		Type: &dst.FuncType{
			Params:  &dst.FieldList{},
			Results: &dst.FieldList{List: []*dst.Field{{Names: []*dst.Ident{dst.NewIdent("err")}, Type: dst.NewIdent("error")}}},
		},
		Body: &dst.BlockStmt{List: []dst.Stmt{
			&dst.DeferStmt{Call: rule.Call(&dst.FuncLit{
				Type: &dst.FuncType{Params: &dst.FieldList{}},
				Body: &dst.BlockStmt{List: []dst.Stmt{recovered}},
			})},
			&dst.ExprStmt{X: set},
			&dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}},
		}},
	}
	call.Fun = lit
	call.Args = nil
}

// setExtWhyNot returns why v1's SetExtension call could fail where
// APIv2's panics instead, or "" when it could not (for a non-nil value):
// the extension's types are read from its declaration
// (proto_extensions_types.go), the message's static type is the one it
// extends, and the value's static type is its v1 Go type, which extValue
// turns into the APIv2 one.
func (x *extPass) setExtWhyNot(call *dst.CallExpr) string {
	if len(call.Args) != 3 {
		return ""
	}
	et, ok := x.extensionTypes(call.Args[1])
	if !ok {
		return "the extension's Go type cannot be read from its declaration (it is not a package-level extension variable of generated code), so whether the value fits it is unknown"
	}
	if mt := x.TypeOf(call.Args[0]); mt == nil || !types.Identical(mt, et.extended) {
		return "the message's static type " + typeString(mt) + " is not " + typeString(et.extended) + ", the type the extension extends"
	}
	if vt := x.TypeOf(call.Args[2]); vt == nil || !types.Identical(vt, et.value) {
		return "the value's static type " + typeString(vt) + " is not " + typeString(et.value) + ", the extension's Go type in v1 (" + typeString(et.v2Value()) + " in APIv2)"
	}
	if !x.nonNil(call.Args[2]) {
		return "the value may be nil, which v1 rejected with an error where APIv2 panics (a scalar pointer is dereferenced) or clears the extension (a message)"
	}
	return ""
}

// nonNil reports whether e cannot be a nil pointer: it is not a pointer
// (a nil slice of a repeated extension sets an empty list in v1 and
// clears it in APIv2, the same thing), or a v1 scalar helper call, an
// address, a composite literal or new(T), or a variable or field the
// call sits under an `if e != nil` test of (a conjunct of the condition)
// that its body does not assign.
func (x *extPass) nonNil(e dst.Expr) bool {
	if _, ptr := x.TypeOf(e).(*types.Pointer); !ptr {
		return true
	}
	if x.nilGuarded(e) {
		return true
	}
	switch e := unparen(e).(type) {
	case *dst.UnaryExpr:
		return e.Op == token.AND
	case *dst.CompositeLit:
		return true
	case *dst.CallExpr:
		name := v1ProtoFunc(x.Callee(e))
		if scalarHelpers[name] || name == "Int" {
			return true
		}
		id, ok := e.Fun.(*dst.Ident)
		if ok && id.Name == "new" {
			_, builtin := x.ObjectOf(id).(*types.Builtin)
			return builtin
		}
	}
	return false
}

// refuseIgnoredSetErr reports a SetExtension call whose error the code
// ignores when v1 could return one: APIv2 would panic there instead.
func (x *extPass) refuseIgnoredSetErr(call *dst.CallExpr) bool {
	why := x.setExtWhyNot(call)
	if why == "" {
		return false
	}
	x.Report(call, change.Manual, "not rewritten: "+why+"; this code ignores SetExtension's error, so where v1 went on APIv2 would panic", "convert the value to the extension's type first, or check v1's error")
	x.done[call] = true
	return true
}

// checkedValue converts a value whose static type is an interface to the
// extension's APIv2 Go type with a type assertion to its v1 type (and a
// dereference for scalars): inside the function literal of setExtValue a
// failed assertion, like a nil pointer, panics into the error v1
// returned. ok is false when the extension's types are unknown.
func (x *extPass) checkedValue(call *dst.CallExpr) (dst.Expr, bool) {
	et, ok := x.extensionTypes(call.Args[1])
	if !ok {
		return nil, false
	}
	te := typeExprOf(x.Pass, et.value)
	if te == nil {
		return nil, false
	}
	var v dst.Expr = &dst.TypeAssertExpr{X: parenIfNeeded(call.Args[2]), Type: te}
	if !types.Identical(et.v2Value(), et.value) {
		v = &dst.StarExpr{X: v}
	}
	return v, true
}

// typeExprOf builds an expression naming t: what typeExpr names, and
// pointers and slices of it.
func typeExprOf(p *rule.Pass, t types.Type) dst.Expr {
	switch t := t.(type) {
	case *types.Pointer:
		if e := typeExprOf(p, t.Elem()); e != nil {
			return &dst.StarExpr{X: e}
		}
		return nil
	case *types.Slice:
		if e := typeExprOf(p, t.Elem()); e != nil {
			return &dst.ArrayType{Elt: e}
		}
		return nil
	}
	return typeExpr(p, t)
}

// nilGuarded reports whether e sits in the body of an if statement whose
// condition has the conjunct `e != nil`, and that body assigns nothing
// spelled like e.
func (x *extPass) nilGuarded(e dst.Expr) bool {
	var child dst.Node = e
	for n := range x.Inspector().Ancestors(e) {
		if ifs, ok := n.(*dst.IfStmt); ok && ifs.Body == child && x.hasNotNil(ifs.Cond, e) && !x.assigns(ifs.Body, e) {
			return true
		}
		child = n
	}
	return false
}

// hasNotNil reports whether cond is, or has the && conjunct, `e != nil`.
func (x *extPass) hasNotNil(cond dst.Expr, e dst.Expr) bool {
	switch c := unparen(cond).(type) {
	case *dst.BinaryExpr:
		switch c.Op {
		case token.LAND:
			return x.hasNotNil(c.X, e) || x.hasNotNil(c.Y, e)
		case token.NEQ:
			n, ok := unparen(c.Y).(*dst.Ident)
			return ok && n.Name == "nil" && rule.IsUntypedNil(x.TypeOf(n)) && x.sameExpr(c.X, e)
		}
	}
	return false
}

// assigns reports whether body assigns to e (or takes its address).
func (x *extPass) assigns(body dst.Node, e dst.Expr) bool {
	found := false
	dst.Inspect(body, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.AssignStmt:
			for _, l := range n.Lhs {
				found = found || x.sameExpr(l, e)
			}
		case *dst.UnaryExpr:
			found = found || (n.Op == token.AND && x.sameExpr(n.X, e))
		}
		return !found
	})
	return found
}
