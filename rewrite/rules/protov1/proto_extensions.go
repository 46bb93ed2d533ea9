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
//	v, _ := proto.GetExtension(m, xt)                  →  v := proto.GetExtension(m, xt)
//	*v.(*int32)                                        →  v.(int32)
//	proto.SetExtension(m, xt, proto.Int32(5))          →  proto.SetExtension(m, xt, int32(5))
//	if err := proto.SetExtension(…); err != nil {…}    →  proto.SetExtension(…)
//	proto.RegisterExtension(d)                         →  if err := protoregistry.GlobalTypes.RegisterExtension(d); err != nil { panic(err) }
//	proto.ExtensionDesc (the type)                     →  protoimpl.ExtensionInfo (the same type)
//
// GetExtension loses its error: the only error a correct program saw was
// ErrMissingExtension, so a check of the error becomes a HasExtension
// guard (the other v1 errors, a non-extendable message or a mismatched
// extension, are panics in APIv2). Scalar and enum extensions are values
// instead of pointers in APIv2: assertions dereferenced on the spot are
// rewritten, every other use of such a value is reported. SetExtension
// can no longer fail (it panics on a type mismatch), so its error branch
// is dropped; scalar pointer arguments become values.
//
// Risk "review": HasExtension no longer sees extensions kept only as
// unknown fields; an absent extension with a declared default made v1's
// GetExtension succeed where the guard now takes the missing branch;
// ClearExtension panics where v1 silently did nothing. GetExtensions,
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
	// valueVars are variables that now hold APIv2 extension values.
	valueVars []types.Object
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
			case "GetExtension", "SetExtension", "RegisterExtension":
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
			var next *dst.IfStmt
			if i+1 < len(list) {
				next, _ = list[i+1].(*dst.IfStmt)
			}
			if out, ok := x.getExt(s, call, next, nil); ok {
				if next != nil && !rule.IsBlank(s.Lhs[1]) {
					return out, 1
				}
				return out, 0
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
				if out, ok := x.getExt(as, call, s, list); ok {
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
			ret := &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}}
			out = append(out, ret)
			rule.MoveStmtDecs(s, out)
			return out, 0
		}
	}
	return keep, 0
}

// getExt rewrites `v, err := proto.GetExtension(m, xt)` followed by (or,
// with list != nil, initialising) check, an if statement testing err.
func (x *extPass) getExt(as *dst.AssignStmt, call *dst.CallExpr, check *dst.IfStmt, list []dst.Stmt) ([]dst.Stmt, bool) {
	if len(call.Args) != 2 {
		return nil, false
	}
	lv, le := as.Lhs[0], as.Lhs[1]
	hoisted := list != nil
	var newCond dst.Expr
	if !rule.IsBlank(le) {
		if check == nil || (!hoisted && check.Init != nil) || as.Tok != token.DEFINE || !x.IsNewDef(le) {
			x.Report(call, change.Manual, "not rewritten: APIv2's GetExtension has no error result; only `v, err := proto.GetExtension(m, xt)` whose err is tested by the next if statement alone (err != nil, == nil, == proto.ErrMissingExtension) becomes a HasExtension guard", "v := proto.GetExtension(m, xt)\nif !proto.HasExtension(m, xt) {\n\t// missing\n}")
			x.done[call] = true
			return nil, false
		}
		missing, ok := x.errCond(check.Cond, le.(*dst.Ident))
		if !ok || !rule.IsPure(call.Args[0]) || !rule.IsPure(call.Args[1]) {
			x.Report(call, change.Manual, "not rewritten: the error is used beyond one test in the following if statement, or the message/extension expressions cannot be evaluated twice; use proto.HasExtension(m, xt) explicitly", "v := proto.GetExtension(m, xt)\nif !proto.HasExtension(m, xt) {\n\t// missing\n}")
			x.done[call] = true
			return nil, false
		}
		has := rule.Call(rule.QualifiedIdent(v2Proto, "HasExtension"), v2Arg(x.Pass, rule.Clone(call.Args[0])), rule.Clone(call.Args[1]))
		newCond = has
		if missing {
			newCond = &dst.UnaryExpr{Op: token.NOT, X: has}
		}
	}
	if hoisted && !rule.IsBlank(lv) {
		id, ok := lv.(*dst.Ident)
		if !ok || nameUsedElsewhere(list, check, id.Name) {
			x.Report(call, change.Manual, "not rewritten: the value would have to move out of the if statement, and its name is used elsewhere in the block", "")
			x.done[call] = true
			return nil, false
		}
	}
	x.done[call] = true
	x.Changed(as, change.Review, "proto.GetExtension → APIv2 (no error: a missing extension yields its default or zero value; scalar and enum values are no longer pointers)")
	toV2Proto(x.Pass, unparen(call.Fun).(*dst.Ident))
	call.Args[0] = v2Arg(x.Pass, call.Args[0])
	if id, ok := lv.(*dst.Ident); ok && !rule.IsBlank(id) {
		if o := x.ObjectOf(id); o != nil && x.IsNewDef(id) {
			x.valueVars = append(x.valueVars, o)
		} else {
			x.Report(lv, change.Review, "the variable now receives APIv2 extension values: scalar and enum extensions are values, not pointers; check its type assertions", "")
		}
	}
	var out []dst.Stmt
	switch {
	case rule.IsBlank(lv) && rule.IsBlank(le):
		out = []dst.Stmt{&dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("_")}, Tok: token.ASSIGN, Rhs: []dst.Expr{call}}}
	case !rule.IsBlank(lv):
		out = []dst.Stmt{x.Assign(as, lv, call)}
	}
	if hoisted {
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
	if len(out) > 0 {
		rule.MoveStmtDecs(as, out)
	}
	if newCond == nil {
		return out, true
	}
	check.Cond = newCond
	return append(out, check), true
}

// errCond reports whether cond tests only err against nil or
// proto.ErrMissingExtension, and whether it is true when the extension is
// missing; err must not be used anywhere else.
func (x *extPass) errCond(cond dst.Expr, err *dst.Ident) (missing, ok bool) {
	obj := x.ObjectOf(err)
	if obj == nil || x.uses(obj) != 1 {
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

// fixValueUses rewrites `*v.(*T)` into `v.(T)` for variables that hold
// APIv2 extension values, and reports their other uses that depend on
// the pointer representation.
func (x *extPass) fixValueUses() {
	if len(x.valueVars) == 0 {
		return
	}
	vars := map[types.Object]bool{}
	for _, o := range x.valueVars {
		vars[o] = true
	}
	dstutil.Apply(x.File, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.StarExpr:
			ta, ok := unparen(n.X).(*dst.TypeAssertExpr)
			if !ok || !x.isValueVar(ta.X, vars) {
				return true
			}
			if st, ok := ta.Type.(*dst.StarExpr); ok && scalarKind(x.TypeOf(st.X)) {
				x.Changed(n, change.Safe, "scalar extension values are not pointers in APIv2: *v.(*T) → v.(T)")
				ta.Type = st.X
				rule.MoveDecs(n, ta)
				c.Replace(ta)
				return false
			}
		case *dst.TypeAssertExpr:
			if !x.isValueVar(n.X, vars) {
				return true
			}
			if n.Type == nil {
				x.Report(n, change.Review, "type switch on an extension value: APIv2 holds scalar and enum extensions as values, not pointers; change the *T cases to T", "")
				return false
			}
			if st, ok := n.Type.(*dst.StarExpr); ok && scalarKind(x.TypeOf(st.X)) {
				x.Report(n, change.Manual, "not rewritten: APIv2 holds this extension as a value, not a pointer; assert .("+typeString(x.TypeOf(st.X))+") and take its address where a pointer is needed", "")
			}
			return false
		case *dst.Ident:
			if n.Path == "" && vars[x.ObjectOf(n)] && !x.IsNewDef(n) {
				x.Report(n, change.Review, "extension value used without a type assertion: if the extension is a scalar or enum, APIv2 holds a value where v1 held a pointer", "")
			}
		}
		return true
	}, nil)
}

func (x *extPass) isValueVar(e dst.Expr, vars map[types.Object]bool) bool {
	id, ok := unparen(e).(*dst.Ident)
	return ok && id.Path == "" && vars[x.ObjectOf(id)]
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
