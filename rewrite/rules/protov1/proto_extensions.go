package protov1

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// ProtoExtensions moves the extension API of github.com/golang/protobuf/proto
// to google.golang.org/protobuf (spec A.1 extension rows, A.7):
//
//	proto.HasExtension(m, xt), ClearExtension(m, xt)  →  same names in APIv2
//	v, err := proto.GetExtension(m, xt); if err != nil {…}
//	    →  v := proto.GetExtension(m, xt); if !proto.HasExtension(m, xt) {…}
//	…; if err == proto.ErrMissingExtension {…; return}; if err != nil {…}
//	    →  …; if !proto.HasExtension(m, xt) {…; return}   (second if dropped)
//	…; switch { case err == proto.ErrMissingExtension: A; case err != nil: B; default: C }
//	    →  …; if !proto.HasExtension(m, xt) { A } else { C }
//	if !proto.HasExtension(m, xt) {…; return}; v, err := …; if err != nil {…}
//	    →  the err test is dropped (no second guard)
//	v, _ := proto.GetExtension(m, xt)                  →  v := proto.GetExtension(m, xt)
//	*v.(*int32)                                        →  v.(int32)
//	s, ok := v.(*string); if !ok || s == nil {…}; *s   →  s, ok := v.(string); if !ok {…}; s
//	proto.SetExtension(m, xt, proto.Int32(5))          →  proto.SetExtension(m, xt, int32(5))
//	if err := proto.SetExtension(…); err != nil {…}    →  proto.SetExtension(…)
//	other uses of SetExtension's error                 →  func() (err error) { defer recover-to-err; proto.SetExtension(…); return nil }()
//	proto.RegisterExtension(d)                         →  if err := protoregistry.GlobalTypes.RegisterExtension(d); err != nil { panic(err) }
//	proto.ExtensionDesc (the type)                     →  protoimpl.ExtensionInfo (the same type)
//
// Messages that only implement the v1 interface (golang/protobuf <= v1.3
// generated code) are wrapped with protoadapt.MessageV2Of, in the
// HasExtension guards the rule writes too.
//
// GetExtension loses its error: the only error a correct program saw was
// ErrMissingExtension, so a check of the error becomes a HasExtension
// guard; the other v1 errors (a non-extendable message, a mismatched
// extension) are panics in APIv2, so a branch left to catch them is dead
// and dropped. Scalar and enum extensions are values instead of pointers
// in APIv2, so a GetExtension call is rewritten only when every use of
// its value is: pointer assertions dereferenced on the spot, comma-ok
// pointer assertions whose pointer is only dereferenced or tested against
// nil next to ok (v1 never returned a nil pointer, so s == nil is !ok),
// and assertions to message or slice types (the same in both). Any other
// use (a pointer that escapes or is written through, a type switch, a use
// without assertion) leaves the call and its error tests unchanged and is
// reported: rewriting the call alone would make the assertion fail at run
// time without a word. SetExtension can no longer fail (it panics on a
// type mismatch), so its error branch is dropped; where the error is used
// otherwise (a test expecting the failure, a returned error), the panic is
// recovered into the error; scalar pointer arguments become values.
//
// Risk "review": HasExtension no longer sees extensions kept only as
// unknown fields; an absent extension with a declared default made v1's
// GetExtension succeed where the guard now takes the missing branch;
// ClearExtension panics where v1 silently did nothing; a recovered
// SetExtension error has APIv2's panic text. GetExtensions,
// ClearAllExtensions, ExtensionDescs, RegisteredExtensions, other uses of
// ErrMissingExtension and any shape not listed above are reported with a
// suggested replacement (the spec's class R rows whose loops and callbacks
// cannot be produced faithfully inline).
var ProtoExtensions = &rule.Rule{
	Name:    "protov1.proto.extensions",
	Doc:     "proto.Has/Clear/Get/SetExtension and RegisterExtension → APIv2, error results turned into HasExtension guards",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoExtensions,
}

var extReports = map[string][2]string{
	"GetExtensions": {"proto.GetExtensions has no APIv2 function: call proto.GetExtension per descriptor (v1 left nil for missing ones)",
		"vs := make([]any, len(xts))\nfor i, xt := range xts {\n\tif proto.HasExtension(m, xt) {\n\t\tvs[i] = proto.GetExtension(m, xt)\n\t}\n}"},
	"ClearAllExtensions": {"proto.ClearAllExtensions has no APIv2 function: clear every extension field (v1 also dropped unknown fields in extension ranges)",
		"mr := m.ProtoReflect()\nmr.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {\n\tif fd.IsExtension() {\n\t\tmr.Clear(fd)\n\t}\n\treturn true\n})"},
	"ExtensionDescs": {"proto.ExtensionDescs has no APIv2 function: iterate the populated extensions with proto.RangeExtensions (v1 also listed unknown fields in extension ranges)",
		"proto.RangeExtensions(m, func(xt protoreflect.ExtensionType, v any) bool {\n\t// use xt\n\treturn true\n})"},
	"RegisteredExtensions": {"proto.RegisteredExtensions has no APIv2 function: iterate the registry (a callback instead of a map)",
		"protoregistry.GlobalTypes.RangeExtensionsByMessage(m.ProtoReflect().Descriptor().FullName(), func(xt protoreflect.ExtensionType) bool {\n\t// use xt\n\treturn true\n})"},
	"SetRawExtension": {"proto.SetRawExtension has no APIv2 function: append the encoded field to the unknown fields (v1 first cleared the field number)",
		"mr := m.ProtoReflect()\nmr.SetUnknown(append(mr.GetUnknown(), b...))"},
}

type extPass struct {
	*rule.Pass
	done map[*dst.CallExpr]bool
	// values are the planned edits of the uses of rewritten GetExtension
	// results, applied once every statement has been handled.
	values []*valuePlan
}

func runProtoExtensions(p *rule.Pass) {
	x := &extPass{Pass: p, done: map[*dst.CallExpr]bool{}}
	rule.StmtLists(p.File, func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for i := 0; i < len(list); i++ {
			stmts, skip := x.stmt(list, i)
			out = append(out, stmts...)
			i += skip
		}
		return out
	})
	x.fixValueUses()
	dst.Inspect(p.File, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.Ident:
			name, o := v1ProtoRef(p, n)
			switch {
			case name == "ExtensionDesc":
				if _, ok := o.(*types.TypeName); ok {
					p.Changed(n, change.Safe, "proto.ExtensionDesc → protoimpl.ExtensionInfo (the same type)")
					n.Path, n.Name = "google.golang.org/protobuf/runtime/protoimpl", "ExtensionInfo"
					p.Require(protobufModule, minProtobuf)
				}
			case name == "ErrMissingExtension":
				p.Report(n, change.Manual, "not rewritten: APIv2 has no ErrMissingExtension (GetExtension returns the default value); test proto.HasExtension(m, xt) instead", "")
			case extReports[name][0] != "":
				p.Report(n, change.Manual, extReports[name][0], extReports[name][1])
			}
		case *dst.CallExpr:
			if x.done[n] {
				return true
			}
			switch name := v1ProtoFunc(p.Callee(n)); name {
			case "HasExtension", "ClearExtension":
				id, ok := unparen(n.Fun).(*dst.Ident)
				if !ok || len(n.Args) != 2 {
					return true
				}
				msg := "proto.HasExtension → APIv2 (extensions held only as unknown fields are no longer reported; false if xt does not extend m)"
				if name == "ClearExtension" {
					msg = "proto.ClearExtension → APIv2 (panics if xt does not extend m or m is invalid, where v1 did nothing)"
				}
				p.Changed(n, change.Review, msg)
				n.Args[0] = v2Arg(p, n.Args[0])
				toV2Proto(p, id)
			case "SetExtension":
				x.setExtValue(n)
			case "GetExtension", "RegisterExtension":
				p.Report(n, change.Manual, "not rewritten: proto."+name+" changes its results in APIv2 and this use has no place for that; see the rule's documented shapes", "")
			}
		}
		return true
	})
	funcValues(p, func(name string) bool {
		return name == "GetExtension" || name == "SetExtension" || name == "HasExtension" || name == "ClearExtension" || name == "RegisterExtension"
	}, "its APIv2 replacement has a different signature; wrap it in a func literal")
}

// extCall returns the matched v1 extension call that is the only value
// of exprs, or nil.
func (x *extPass) extCall(exprs []dst.Expr, name string) *dst.CallExpr {
	if len(exprs) != 1 {
		return nil
	}
	c, ok := exprs[0].(*dst.CallExpr)
	if !ok || x.done[c] || v1ProtoFunc(x.Callee(c)) != name {
		return nil
	}
	return c
}

// stmt rewrites list[i] (and possibly the statements after it, counted by
// skip) when it is one of the supported statement shapes.
func (x *extPass) stmt(list []dst.Stmt, i int) (out []dst.Stmt, skip int) {
	s := list[i]
	keep := []dst.Stmt{s}
	switch s := s.(type) {
	case *dst.AssignStmt:
		if call := x.extCall(s.Rhs, "GetExtension"); call != nil && len(s.Lhs) == 2 {
			if out, skip, ok := x.getExt(s, call, list, i); ok {
				return out, skip
			}
			return keep, 0
		}
		if call := x.extCall(s.Rhs, "SetExtension"); call != nil && len(s.Lhs) == 1 {
			if rule.IsBlank(s.Lhs[0]) {
				return x.setExt(s, call, nil), 0
			}
			if i+1 < len(list) {
				if next, ok := list[i+1].(*dst.IfStmt); ok && x.droppableErrCheck(s, next) {
					return x.setExt(s, call, next), 1
				}
			}
		}
	case *dst.ExprStmt:
		if call := x.extCall([]dst.Expr{s.X}, "SetExtension"); call != nil {
			return x.setExt(s, call, nil), 0
		}
		if call := x.extCall([]dst.Expr{s.X}, "RegisterExtension"); call != nil && len(call.Args) == 1 {
			x.Changed(s, change.Safe, "proto.RegisterExtension → protoregistry.GlobalTypes.RegisterExtension (v1 panicked on a conflict; the panic is kept)")
			x.done[call] = true
			reg := rule.Call(rule.Sel(rule.QualifiedIdent(v2Protoregistry, "GlobalTypes"), "RegisterExtension"), call.Args...)
			errID := dst.NewIdent("err")
			out := &dst.IfStmt{
				Init: &dst.AssignStmt{Lhs: []dst.Expr{errID}, Tok: token.DEFINE, Rhs: []dst.Expr{reg}},
				Cond: &dst.BinaryExpr{X: dst.NewIdent("err"), Op: token.NEQ, Y: dst.NewIdent("nil")},
				Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: rule.Call(dst.NewIdent("panic"), dst.NewIdent("err"))}}},
			}
			rule.MoveStmtDecs(s, []dst.Stmt{out})
			x.Require(protobufModule, minProtobuf)
			return []dst.Stmt{out}, 0
		}
	case *dst.IfStmt:
		if as, ok := s.Init.(*dst.AssignStmt); ok {
			if call := x.extCall(as.Rhs, "GetExtension"); call != nil && len(as.Lhs) == 2 {
				if out, ok := x.getExtInit(as, call, s, list); ok {
					return out, 0
				}
				return keep, 0
			}
			if call := x.extCall(as.Rhs, "SetExtension"); call != nil && len(as.Lhs) == 1 && x.droppableErrCheck(as, s) {
				return x.setExt(s, call, s), 0
			}
		}
	case *dst.ReturnStmt:
		if call := x.extCall(s.Results, "SetExtension"); call != nil && x.returnsOnlyError(call) {
			out := x.setExt(s, call, nil)
			// setExt gave the call all of s's comments: the trailing ones
			// belong after the return.
			ret := &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}}
			d := out[0].Decorations()
			ret.Decs.End, ret.Decs.After = d.End, d.After
			d.End, d.After = nil, dst.NewLine
			ret.Decs.Before = dst.NewLine
			return append(out, ret), 0
		}
	}
	return keep, 0
}

// uses counts the identifiers that refer to obj, its definition excluded.
func (x *extPass) uses(obj types.Object) int {
	n := 0
	dst.Inspect(x.File, func(node dst.Node) bool {
		if id, ok := node.(*dst.Ident); ok && id.Path == "" && x.ObjectOf(id) == obj && !x.IsNewDef(id) {
			n++
		}
		return true
	})
	return n
}

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

func (x *extPass) countUse(n dst.Node, obj types.Object) int {
	if id, ok := n.(*dst.Ident); ok && id.Path == "" && x.ObjectOf(id) == obj && !x.IsNewDef(id) {
		return 1
	}
	return 0
}

// returnsOnlyError reports whether call is returned from a function whose
// only result is an error.
func (x *extPass) returnsOnlyError(call *dst.CallExpr) bool {
	var stack []dst.Node
	var sig *types.Signature
	dst.Inspect(x.File, func(n dst.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if n == dst.Node(call) {
			for i := len(stack) - 1; i >= 0 && sig == nil; i-- {
				switch f := stack[i].(type) {
				case *dst.FuncDecl:
					if o := x.ObjectOf(f.Name); o != nil {
						sig, _ = o.Type().(*types.Signature)
					}
				case *dst.FuncLit:
					sig, _ = x.TypeOf(f).(*types.Signature)
				}
				if _, isFunc := stack[i].(*dst.FuncDecl); isFunc {
					break
				}
			}
			return false
		}
		stack = append(stack, n)
		return true
	})
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
		if !rule.IsPure(call.Args[0]) || !rule.IsPure(call.Args[1]) {
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
			out = []dst.Stmt{&dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("_")}, Tok: token.ASSIGN, Rhs: []dst.Expr{call}}}
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
		var nilArgs []nilArg
		if ok {
			nilArgs, ok = x.nilErrArgs(errObj, s, missing)
		}
		if !ok || s.Init != nil || total != 1+len(nilArgs) || usesIn(s.Cond) != 1 {
			return nil, 0, "the error is used beyond one test in the statements that follow"
		}
		x.setNil(nilArgs)
		if missing && s.Else == nil && i > 0 && x.hasGuard(list[i-1], call) {
			// The earlier `if !HasExtension` guard already left; the test
			// now only caught a mismatched extension, which panics in APIv2.
			x.Changed(s, change.Review, "dead after the HasExtension guard above: APIv2's GetExtension does not return an error for a mismatched extension (it panics)")
			return nil, 1, ""
		}
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
	var walk func(n dst.Node) bool
	walk = func(n dst.Node) bool {
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
		if !ok || as.Tok != token.DEFINE || !x.IsNewDef(le) || x.uses(errObj) != 1+len(nilArgs) || !rule.IsPure(call.Args[0]) || !rule.IsPure(call.Args[1]) {
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
		out = []dst.Stmt{&dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("_")}, Tok: token.ASSIGN, Rhs: []dst.Expr{call}}}
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
	parent := parents(x.File)
	v := x.ObjectOf(id)
	for _, use := range x.usesOf(v) {
		ta, ok := parent[use].(*dst.TypeAssertExpr)
		if !ok || ta.X != dst.Expr(use) {
			return nil, "the value is used without a type assertion (a scalar or enum extension is a pointer in v1 and a value in APIv2)"
		}
		if ta.Type == nil {
			return nil, "the value is used in a type switch (its *T cases would have to become T)"
		}
		t := x.TypeOf(ta.Type)
		st, isStar := ta.Type.(*dst.StarExpr)
		if commaOk(parent[ta]) && !present[parent[ta]] {
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
		switch up := parent[ta].(type) {
		case *dst.StarExpr:
			if !plainRead(parent, up) {
				return nil, "a dereferenced assertion of the value is written to or has its address taken"
			}
			plan.derefs = append(plan.derefs, up)
			continue
		case *dst.AssignStmt:
			if why := x.planPtr(up, ta, parent, plan); why != "" {
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
func (x *extPass) planPtr(as *dst.AssignStmt, ta *dst.TypeAssertExpr, parent map[dst.Node]dst.Node, plan *valuePlan) string {
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
		for _, use := range x.usesOf(okObj) {
			if !plainRead(parent, use) {
				return why
			}
		}
	}
	derefs := 0
	for _, use := range x.usesOf(x.ObjectOf(s)) {
		switch up := parent[use].(type) {
		case *dst.StarExpr:
			if !plainRead(parent, up) {
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
func plainRead(parent map[dst.Node]dst.Node, n dst.Node) bool {
	for {
		p, ok := parent[n].(*dst.ParenExpr)
		if !ok {
			break
		}
		n = p
	}
	switch p := parent[n].(type) {
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

// usesOf returns the identifiers referring to obj, its definition excluded.
func (x *extPass) usesOf(obj types.Object) []*dst.Ident {
	var out []*dst.Ident
	dst.Inspect(x.File, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && x.countUse(id, obj) == 1 {
			out = append(out, id)
		}
		return true
	})
	return out
}

// parents maps every node under root to its parent.
func parents(root dst.Node) map[dst.Node]dst.Node {
	out := map[dst.Node]dst.Node{}
	var stack []dst.Node
	dst.Inspect(root, func(n dst.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if len(stack) > 0 {
			out[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})
	return out
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
	switch parents(x.File)[call].(type) {
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
	x.Changed(call, change.Review, "proto.SetExtension → APIv2 inside a function literal that recovers its panic (a value of the wrong type, an invalid message) as the error v1 returned; the error text differs")
	toV2Proto(x.Pass, id)
	set := rule.Call(id, v2Arg(x.Pass, call.Args[0]), call.Args[1], x.extValue(call.Args[2]))
	// set keeps the typed callee identifier: it must not be matched again.
	x.done[set] = true
	rec := dst.NewIdent("rec")
	recovered := &dst.IfStmt{
		Init: &dst.AssignStmt{Lhs: []dst.Expr{rec}, Tok: token.DEFINE, Rhs: []dst.Expr{rule.Call(dst.NewIdent("recover"))}},
		Cond: &dst.BinaryExpr{X: dst.NewIdent("rec"), Op: token.NEQ, Y: dst.NewIdent("nil")},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.AssignStmt{
			Lhs: []dst.Expr{dst.NewIdent("err")},
			Tok: token.ASSIGN,
			Rhs: []dst.Expr{rule.Call(rule.QualifiedIdent("fmt", "Errorf"), &dst.BasicLit{Kind: token.STRING, Value: `"%v"`}, dst.NewIdent("rec"))},
		}}},
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

// usesName reports whether e mentions an unqualified identifier name.
func usesName(e dst.Expr, name string) bool {
	found := false
	dst.Inspect(e, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Path == "" && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// universal reports whether name, written at n, is the predeclared
// identifier.
func (x *extPass) universal(n dst.Node, name string) bool {
	a := x.Ast(n)
	if a == nil {
		return false
	}
	scope := x.Pkg.Types.Scope().Innermost(a.Pos())
	if scope == nil {
		return false
	}
	_, o := scope.LookupParent(name, a.Pos())
	return o != nil && o.Parent() == types.Universe
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
