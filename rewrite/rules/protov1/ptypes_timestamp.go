package protov1

import (
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// PtypesTimestamp rewrites the timestamp helpers of
// github.com/golang/protobuf/ptypes (spec A.3):
//
//	ts, err := ptypes.TimestampProto(t)  →  ts := timestamppb.New(t); err := ts.CheckValid()
//	t, err := ptypes.Timestamp(ts)       →  t := ts.AsTime(); err := ts.CheckValid()
//	ptypes.TimestampNow()                →  timestamppb.Now()
//	ptypes.TimestampString(ts)           →  ts.AsTime().Format(time.RFC3339Nano)
//
// The error result disappears from the v2 constructors, so it becomes an
// explicit CheckValid call over the same validity range; v1 returned a nil
// timestamp on error where New returns an invalid one, and error texts
// differ, hence risk "review". TimestampString formatted invalid values as
// "(<error>)"; the rewrite formats them anyway. Calls whose results go
// anywhere else are reported.
var PtypesTimestamp = &rule.Rule{
	Name:    "protov1.ptypes.timestamp",
	Doc:     "ptypes timestamp helpers → timestamppb.New/Now, AsTime and an explicit CheckValid",
	Risk:    change.Review,
	Imports: []string{v1Ptypes},
	Run:     runPtypesTimestamp,
}

func runPtypesTimestamp(p *rule.Pass) {
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
			if !rule.IsPure(arg) {
				return nil, nil, false, "the timestamp argument is an expression with possible side effects and would be evaluated twice; assign it to a variable first"
			}
			value := rule.Call(rule.Sel(arg, "AsTime"))
			return value, func(dst.Expr) dst.Expr { return rule.Call(rule.Sel(rule.Clone(arg), "CheckValid")) }, true, ""
		},
	})
	dst.Inspect(p.File, func(n dst.Node) bool {
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
			p.Changed(call, change.Review, "ptypes.TimestampString → AsTime().Format(time.RFC3339Nano) (an invalid timestamp is now formatted instead of printed as \"(<error>)\")")
			asTime := rule.Call(rule.Sel(call.Args[0], "AsTime"))
			call.Fun = rule.Sel(asTime, "Format")
			call.Args = []dst.Expr{rule.QualifiedIdent("time", "RFC3339Nano")}
			p.Require(protobufModule, minProtobuf)
		}
		return true
	})
}
