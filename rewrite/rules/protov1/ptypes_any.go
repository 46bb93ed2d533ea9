package protov1

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// PtypesAny rewrites the Any helpers of github.com/golang/protobuf/ptypes
// (spec A.3):
//
//	ptypes.MarshalAny(m)          →  anypb.New(m)
//	ptypes.UnmarshalAny(x, m)     →  x.UnmarshalTo(m)
//	ptypes.Is(x, m)               →  x.MessageIs(m)
//	n, err := ptypes.AnyMessageName(x)
//	                              →  n := string(x.MessageName()); err := nil-or-error when n == ""
//	ptypes.Empty(x)               →  protoregistry.GlobalTypes.FindMessageByURL(x.GetTypeUrl()) + New().Interface()
//
// Message arguments that only implement the v1 interface are wrapped with
// protoadapt.MessageV2Of. The v2 calls check the same things, but error
// texts differ, and v1 looked through a *ptypes.DynamicAny handed over as
// an interface value, which v2 cannot know about: risk "review".
// AnyMessageName's error (nil Any, invalid type URL) is exactly the case
// where MessageName returns "", so the error becomes an explicit check of
// that, with v1's text quoting the URL when the Any expression can be
// read again. Empty keeps its v1 result type by converting the new message back
// with protoadapt.MessageV1Of, so the code around it compiles unchanged.
// A local DynamicAny declared empty, filled by one UnmarshalAny and
// otherwise only read as .Message becomes `dyn, err := x.UnmarshalNew()`
// (ptypes_any_dynamic.go). Refused and reported: every other DynamicAny
// (with the reason: v2 has no wrapper type), function values, and
// AnyMessageName results used other than in a two-value assignment or a
// return.
var PtypesAny = &rule.Rule{
	Name:    "protov1.ptypes.any",
	Doc:     "ptypes Any helpers → anypb.New, UnmarshalTo, MessageIs, MessageName and protoregistry lookups",
	Risk:    change.Review,
	Imports: []string{v1Ptypes},
	Run:     runPtypesAny,
}

const dynamicAnyAdvice = "v2 has no DynamicAny wrapper: decode with `m, err := x.UnmarshalNew()` (anypb) and use m, a proto.Message of the packed type"

func runPtypesAny(p *rule.Pass) {
	isFn := func(f *types.Func, names ...string) string {
		for _, n := range names {
			if rule.IsPkgFunc(f, v1Ptypes, n) {
				return n
			}
		}
		return ""
	}
	rewriteAnyMessageName(p)
	refused := rewriteDynamicAny(p, newNamer(p))
	whyNot := func(n dst.Node) string {
		if a := p.Ast(n); a != nil {
			for d, why := range refused {
				if d.Pos() <= a.Pos() && a.End() <= d.End() {
					return ": " + why
				}
			}
		}
		return ""
	}
	called := map[dst.Node]bool{}
	dst.Inspect(p.File, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if sel, ok := n.Fun.(*dst.SelectorExpr); ok {
				called[sel.Sel] = true
			}
			rewriteAnyCall(p, n, isFn(p.Callee(n), "MarshalAny", "UnmarshalAny", "Is", "Empty", "AnyMessageName"))
		case *dst.Ident:
			if n.Path == "" {
				return true
			}
			switch o := p.ObjectOf(n).(type) {
			case *types.Func:
				if name := isFn(o, "MarshalAny", "UnmarshalAny", "Is", "Empty", "AnyMessageName"); name != "" && !called[n] {
					p.Report(n, change.Manual, "not rewritten: ptypes."+name+" is used as a function value; its replacement is a method or has another signature, so wrap the new call in a function literal", "")
				}
			case *types.TypeName:
				if o.Pkg() != nil && o.Pkg().Path() == v1Ptypes && o.Name() == "DynamicAny" {
					p.Report(n, change.Manual, "not rewritten: ptypes.DynamicAny has no v2 counterpart"+whyNot(n), dynamicAnyAdvice)
				}
			}
		}
		return true
	})
}

func isDynamicAny(t types.Type) bool { return t != nil && rule.IsNamed(t, v1Ptypes, "DynamicAny") }

func rewriteAnyCall(p *rule.Pass, call *dst.CallExpr, name string) {
	switch name {
	case "MarshalAny":
		if len(call.Args) != 1 {
			return
		}
		if isDynamicAny(p.TypeOf(call.Args[0])) {
			p.Report(call, change.Manual, "not rewritten: MarshalAny of a DynamicAny marshals its inner message; pass that message (x.Message) to anypb.New instead", "")
			return
		}
		p.Changed(call, change.Review, "ptypes.MarshalAny → anypb.New (error texts differ)")
		call.Fun = rule.QualifiedIdent(v2Anypb, "New")
		call.Args[0] = asV2(p, call.Args[0])
	case "UnmarshalAny":
		if len(call.Args) != 2 {
			return
		}
		if isDynamicAny(p.TypeOf(call.Args[1])) {
			p.Report(call, change.Manual, "not rewritten: UnmarshalAny into a DynamicAny", dynamicAnyAdvice)
			return
		}
		p.Changed(call, change.Review, "ptypes.UnmarshalAny → (*anypb.Any).UnmarshalTo (error texts differ)")
		x, m := call.Args[0], asV2(p, call.Args[1])
		call.Fun = rule.Sel(parenIfNeeded(x), "UnmarshalTo")
		call.Args = []dst.Expr{m}
	case "Is":
		if len(call.Args) != 2 {
			return
		}
		p.Changed(call, change.Safe, "ptypes.Is → (*anypb.Any).MessageIs")
		x, m := call.Args[0], asV2(p, call.Args[1])
		call.Fun = rule.Sel(parenIfNeeded(x), "MessageIs")
		call.Args = []dst.Expr{m}
	case "Empty":
		if len(call.Args) != 1 {
			return
		}
		p.Changed(call, change.Review, "ptypes.Empty → protoregistry.GlobalTypes.FindMessageByURL + New (the message is converted back to the v1 interface so surrounding code keeps compiling)")
		x := call.Args[0]
		find := rule.Call(rule.Sel(rule.QualifiedIdent(v2Protoregistry, "GlobalTypes"), "FindMessageByURL"), rule.Call(rule.Sel(parenIfNeeded(x), "GetTypeUrl")))
		newMsg := rule.Call(rule.QualifiedIdent(v2Protoadapt, "MessageV1Of"), rule.Call(rule.Sel(rule.Call(rule.Sel(ident("mt"), "New")), "Interface")))
		body := []dst.Stmt{
			define(exprs(ident("mt"), ident("err")), find),
			ifErr(notNil(ident("err")), &dst.ReturnStmt{Results: exprs(ident("nil"), ident("err"))}),
			&dst.ReturnStmt{Results: exprs(newMsg, ident("nil"))},
		}
		fl := closure(exprs(rule.QualifiedIdent(v2Protoadapt, "MessageV1"), errorType()), body...)
		rule.MoveDecs(call, fl)
		*call = *fl
	default:
		return
	}
	p.Require(protobufModule, minProtobuf)
}

// parenIfNeeded parenthesizes an expression that becomes a method
// receiver when Go's precedence would otherwise bind differently.
func parenIfNeeded(e dst.Expr) dst.Expr {
	switch e.(type) {
	case *dst.Ident, *dst.SelectorExpr, *dst.CallExpr, *dst.IndexExpr, *dst.ParenExpr, *dst.CompositeLit:
		return e
	}
	return &dst.ParenExpr{X: e}
}

// rewriteAnyMessageName handles `n, err := ptypes.AnyMessageName(x)`
// (also with = and blanks) and `return ptypes.AnyMessageName(x)`.
func rewriteAnyMessageName(p *rule.Pass) {
	nm := newNamer(p)
	match := func(rhs []dst.Expr) *dst.CallExpr {
		if len(rhs) != 1 {
			return nil
		}
		c, ok := rhs[0].(*dst.CallExpr)
		if !ok || len(c.Args) != 1 || !rule.IsPkgFunc(p.Callee(c), v1Ptypes, "AnyMessageName") {
			return nil
		}
		return c
	}
	nameOf := func(call *dst.CallExpr) dst.Expr {
		v := &dst.CallExpr{Fun: ident("string"), Args: exprs(rule.Call(rule.Sel(parenIfNeeded(call.Args[0]), "MessageName")))}
		rule.MoveDecs(call, v)
		return v
	}
	// errExpr is v1's error for an invalid type URL, URL included, when
	// the Any can be read again; a nil Any has an empty URL, which v1
	// reported as "message is nil" instead.
	errExpr := func(call *dst.CallExpr) dst.Expr {
		if x := call.Args[0]; p.SideEffectFree(x) {
			return rule.Call(rule.QualifiedIdent("fmt", "Errorf"), &dst.BasicLit{Kind: token.STRING, Value: `"message type url %q is invalid"`}, rule.Call(rule.Sel(parenIfNeeded(bare(x)), "GetTypeUrl")))
		}
		return rule.Call(rule.QualifiedIdent("errors", "New"), &dst.BasicLit{Kind: token.STRING, Value: `"invalid or missing Any type URL"`})
	}
	const msg = "ptypes.AnyMessageName → string(MessageName()) with an explicit error when it is empty (nil Any or invalid URL; error text differs)"
	rule.StmtLists(p.File, func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			switch s := s.(type) {
			case *dst.AssignStmt:
				call := match(s.Rhs)
				if call == nil || len(s.Lhs) != 2 {
					break
				}
				lv, le := s.Lhs[0], s.Lhs[1]
				if rule.IsBlank(le) {
					p.Changed(s, change.Review, msg)
					var repl dst.Stmt
					if rule.IsBlank(lv) {
						repl = assign(exprs(ident("_")), nameOf(call))
					} else {
						repl = p.Assign(s, lv, nameOf(call))
					}
					stmts := []dst.Stmt{repl}
					rule.MoveStmtDecs(s, stmts)
					out = append(out, stmts...)
					p.Require(protobufModule, minProtobuf)
					continue
				}
				var hold dst.Expr
				var stmts []dst.Stmt
				switch {
				case rule.IsBlank(lv):
					n := nm.fresh(s, "name")
					hold = ident(n)
					stmts = append(stmts, define(exprs(ident(n)), nameOf(call)))
				case p.SideEffectFree(lv):
					hold = rule.Clone(lv)
					stmts = append(stmts, p.Assign(s, lv, nameOf(call)))
				default:
					p.Report(call, change.Manual, "not rewritten: the name is assigned to an expression that cannot be read back safely; assign it to a variable first", "")
					out = append(out, s)
					continue
				}
				p.Changed(s, change.Review, msg)
				errID, ok := le.(*dst.Ident)
				if !ok {
					p.Report(call, change.Manual, "not rewritten: the error is assigned to an expression that is not a variable", "")
					out = append(out, s)
					continue
				}
				if s.Tok == token.DEFINE && p.IsNewDef(le) {
					stmts = append(stmts, varDecl(errID.Name, errorType()))
				} else {
					stmts = append(stmts, assign(exprs(ident(errID.Name)), ident("nil")))
				}
				stmts = append(stmts, ifErr(&dst.BinaryExpr{X: hold, Op: token.EQL, Y: &dst.BasicLit{Kind: token.STRING, Value: `""`}},
					assign(exprs(ident(errID.Name)), errExpr(call))))
				rule.MoveStmtDecs(s, stmts)
				out = append(out, stmts...)
				p.Require(protobufModule, minProtobuf)
				continue
			case *dst.ReturnStmt:
				call := match(s.Results)
				if call == nil {
					break
				}
				p.Changed(s, change.Review, msg)
				n := nm.fresh(s, "name")
				stmts := []dst.Stmt{
					define(exprs(ident(n)), nameOf(call)),
					ifErr(&dst.BinaryExpr{X: ident(n), Op: token.EQL, Y: &dst.BasicLit{Kind: token.STRING, Value: `""`}},
						&dst.ReturnStmt{Results: exprs(ident(n), errExpr(call))}),
					&dst.ReturnStmt{Results: exprs(ident(n), ident("nil"))},
				}
				rule.MoveStmtDecs(s, stmts)
				out = append(out, stmts...)
				p.Require(protobufModule, minProtobuf)
				continue
			}
			out = append(out, s)
		}
		return out
	})
	dst.Inspect(p.File, func(n dst.Node) bool {
		if call, ok := n.(*dst.CallExpr); ok && rule.IsPkgFunc(p.Callee(call), v1Ptypes, "AnyMessageName") && p.Ast(call) != nil {
			if _, stillV1 := call.Fun.(*dst.Ident); stillV1 {
				p.Report(call, change.Manual, "not rewritten: AnyMessageName's error result is used in a way protolift cannot restructure; write `n := string(x.MessageName())` and treat n == \"\" as the error", "")
			}
		}
		return true
	})
}
