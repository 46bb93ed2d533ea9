package protov1

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// PtypesTimestamp rewrites the timestamp helpers of
// github.com/golang/protobuf/ptypes (spec A.3):
//
//	ts, err := ptypes.TimestampProto(t)  →  ts := timestamppb.New(t); err := ts.CheckValid()
//	t, err := ptypes.Timestamp(ts)       →  t := ts.AsTime(); err := ts.CheckValid()
//	ptypes.TimestampNow()                →  timestamppb.Now()
//	ptypes.TimestampString(ts)           →  func(ts *timestamppb.Timestamp) string {
//	                                            if err := ts.CheckValid(); err != nil {
//	                                                return fmt.Sprintf("(%v)", err)
//	                                            }
//	                                            return ts.AsTime().Format(time.RFC3339Nano)
//	                                        }(ts)
//
// The error result disappears from the v2 constructors, so it becomes an
// explicit CheckValid call over the same validity range; v1 returned a nil
// timestamp on error where New returns an invalid one, and error texts
// differ, hence risk "review". TimestampString printed an invalid value as
// "(<error>)" instead of formatting it, and log lines and tests depend on
// that, so its replacement keeps the check (the function literal takes
// the argument as a parameter so it is evaluated once, as before). Calls
// whose results go anywhere else are reported.
var PtypesTimestamp = &rule.Rule{
	Name:    "protov1.ptypes.timestamp",
	Doc:     "ptypes timestamp helpers → timestamppb.New/Now, AsTime and an explicit CheckValid",
	Risk:    change.Review,
	Imports: []string{v1Ptypes},
	Run:     runPtypesTimestamp,
}

func runPtypesTimestamp(p *rule.Pass) {
	bindPtypesArgs(p, "Timestamp", "ts")
	req := map[string]string{protobufModule: minProtobuf}
	p.RewriteValueErr(rule.ValueErr{
		Match:     func(f *types.Func) bool { return rule.IsPkgFunc(f, v1Ptypes, "TimestampProto") },
		FreshName: "ts",
		Risk:      change.Review,
		Message:   "ptypes.TimestampProto → timestamppb.New + CheckValid (error text differs; an out-of-range time now yields a non-nil invalid timestamp)",
		Requires:  req,
		Build: func(call *dst.CallExpr) (dst.Expr, func(dst.Expr) dst.Expr, bool, string) {
			value := rule.Call(rule.QualifiedIdent(v2Timestamppb, "New"), call.Args...)
			return value, func(v dst.Expr) dst.Expr { return rule.Call(rule.Sel(v, "CheckValid")) }, true, ""
		},
	})
	p.RewriteValueErr(rule.ValueErr{
		Match:     func(f *types.Func) bool { return rule.IsPkgFunc(f, v1Ptypes, "Timestamp") },
		FreshName: "t",
		Risk:      change.Review,
		Message:   "ptypes.Timestamp → AsTime + CheckValid (same validity range; error text differs)",
		Requires:  req,
		Build: func(call *dst.CallExpr) (dst.Expr, func(dst.Expr) dst.Expr, bool, string) {
			arg := call.Args[0]
			if !p.SideEffectFree(arg) {
				return nil, nil, false, "the timestamp argument is an expression with possible side effects and would be evaluated twice; assign it to a variable first (protolift does that itself where the call is assigned or returned)"
			}
			value := rule.Call(rule.Sel(arg, "AsTime"))
			return value, func(dst.Expr) dst.Expr { return rule.Call(rule.Sel(rule.Clone(arg), "CheckValid")) }, true, ""
		},
	})
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil), (*dst.CallExpr)(nil)}, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok {
			// Same signature: calls and function values move alike.
			if f, _ := p.ObjectOf(id).(*types.Func); rule.IsPkgFunc(f, v1Ptypes, "TimestampNow") && id.Path != "" {
				p.Changed(id, change.Safe, "ptypes.TimestampNow → timestamppb.Now")
				id.Path, id.Name = v2Timestamppb, "Now"
				p.Require(protobufModule, minProtobuf)
			}
			return true
		}
		call, ok := n.(*dst.CallExpr)
		if !ok {
			return true
		}
		f := p.Callee(call)
		switch {
		case rule.IsPkgFunc(f, v1Ptypes, "TimestampString") && len(call.Args) == 1:
			p.Changed(call, change.Review, "ptypes.TimestampString → AsTime().Format(time.RFC3339Nano), still printing an invalid timestamp as \"(<error>)\" (the error text differs)")
			call.Fun = timestampStringFunc()
			p.Require(protobufModule, minProtobuf)
		}
		return true
	})
}

// timestampStringFunc builds the function literal that replaces
// ptypes.TimestampString; the call keeps its argument.
func timestampStringFunc() *dst.FuncLit {
	ts := func() *dst.Ident { return dst.NewIdent("ts") }
	errID := func() *dst.Ident { return dst.NewIdent("err") }
	check := &dst.IfStmt{
		Init: rule.DefineStmt(rule.Exprs(errID()), rule.Call(rule.Sel(ts(), "CheckValid"))),
		Cond: rule.NotNil(errID()),
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{
			rule.Call(rule.QualifiedIdent("fmt", "Sprintf"), &dst.BasicLit{Kind: token.STRING, Value: `"(%v)"`}, errID()),
		}}}},
	}
	format := &dst.ReturnStmt{Results: []dst.Expr{
		rule.Call(rule.Sel(rule.Call(rule.Sel(ts(), "AsTime")), "Format"), rule.QualifiedIdent("time", "RFC3339Nano")),
	}}
	return &dst.FuncLit{
		Type: &dst.FuncType{
			Params:  &dst.FieldList{List: []*dst.Field{{Names: []*dst.Ident{ts()}, Type: &dst.StarExpr{X: rule.QualifiedIdent(v2Timestamppb, "Timestamp")}}}},
			Results: &dst.FieldList{List: []*dst.Field{{Type: dst.NewIdent("string")}}},
		},
		Body: &dst.BlockStmt{List: []dst.Stmt{check, format}},
	}
}

// bindPtypesArgs gives the argument of a ptypes function fn (Timestamp,
// Duration) that has side effects (a call, say) a variable of its own,
// named after base and declared just before the statement, because the
// rewrite reads the value twice (AsTime or AsDuration, and CheckValid)
// where v1 evaluated it once. Only the statement shapes RewriteValueErr
// restructures are bound; the argument is still evaluated first, as it
// was. Whether an argument needs it is rule.Pass.SideEffectFree's answer,
// the same for both functions.
func bindPtypesArgs(p *rule.Pass, fn, base string) {
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			if call := ptypesCallIn(p, s, fn); call != nil && !p.SideEffectFree(call.Args[0]) {
				name := p.Names().Fresh(call, base)
				decl := rule.DefineStmt(rule.Exprs(dst.NewIdent(name)), call.Args[0])
				call.Args[0] = dst.NewIdent(name)
				decl.Decs.Before, decl.Decs.Start = s.Decorations().Before, s.Decorations().Start
				decl.Decs.After = dst.NewLine
				s.Decorations().Before, s.Decorations().Start = dst.NewLine, nil
				out = append(out, decl)
			}
			out = append(out, s)
		}
		return out
	})
}

// ptypesCallIn returns the call of ptypes.<fn> that s assigns to two
// variables (directly or in an if/switch init) or returns, if any.
func ptypesCallIn(p *rule.Pass, s dst.Stmt, fn string) *dst.CallExpr {
	var rhs []dst.Expr
	two := func(as *dst.AssignStmt) {
		if len(as.Lhs) == 2 {
			rhs = as.Rhs
		}
	}
	switch s := s.(type) {
	case *dst.AssignStmt:
		two(s)
	case *dst.IfStmt:
		if as, ok := s.Init.(*dst.AssignStmt); ok {
			two(as)
		}
	case *dst.SwitchStmt:
		if as, ok := s.Init.(*dst.AssignStmt); ok {
			two(as)
		}
	case *dst.ReturnStmt:
		rhs = s.Results
	}
	if len(rhs) != 1 {
		return nil
	}
	call, ok := rhs[0].(*dst.CallExpr)
	if !ok || len(call.Args) != 1 || !rule.IsPkgFunc(p.Callee(call), v1Ptypes, fn) {
		return nil
	}
	return call
}
