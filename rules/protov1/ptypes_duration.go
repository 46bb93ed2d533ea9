package protov1

import (
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// PtypesDuration rewrites the duration helpers of
// github.com/golang/protobuf/ptypes (spec A.3):
//
//	d, err := ptypes.Duration(x)  →  d := x.AsDuration(); err := x.CheckValid()
//	ptypes.DurationProto(d)       →  durationpb.New(d)
//
// DurationProto is the same algorithm under a new name (safe, function
// values move too). Duration loses its error result, which becomes an
// explicit CheckValid. The two are not the same check: v1 also failed
// (and returned 0) for values that do not fit a time.Duration (about ±292
// years), while AsDuration saturates to the nearest representable value
// and CheckValid only enforces the ±10000-year protobuf range; error texts
// differ too. Hence risk "review". An argument with side effects gets a
// variable of its own first, as for ptypes.Timestamp (bindPtypesArgs;
// rule.Pass.SideEffectFree decides for both). A call whose results go
// anywhere but a two-value assignment or a return, or that is used as a
// function value, is reported.
var PtypesDuration = &rule.Rule{
	Name:    "protov1.ptypes.duration",
	Doc:     "ptypes duration helpers → durationpb.New, AsDuration and an explicit CheckValid",
	Risk:    change.Review,
	Imports: []string{v1Ptypes},
	Run:     runPtypesDuration,
}

func runPtypesDuration(p *rule.Pass) {
	bindPtypesArgs(p, "Duration", "d")
	p.RewriteValueErr(rule.ValueErr{
		Match:     func(f *types.Func) bool { return rule.IsPkgFunc(f, v1Ptypes, "Duration") },
		FreshName: "dur",
		Risk:      change.Review,
		Message:   "ptypes.Duration → AsDuration + CheckValid (a value beyond time.Duration's ±292 years now saturates instead of failing; error text differs)",
		Requires:  map[string]string{protobufModule: minProtobuf},
		Build: func(call *dst.CallExpr) (dst.Expr, func(dst.Expr) dst.Expr, bool, string) {
			arg := call.Args[0]
			if !p.SideEffectFree(arg) {
				return nil, nil, false, "the duration argument is an expression with possible side effects and would be evaluated twice; assign it to a variable first (protolift does that itself where the call is assigned or returned)"
			}
			recv := bare(arg)
			value := rule.Call(rule.Sel(recv, "AsDuration"))
			// The argument's comments end up after the new call rather than
			// between the receiver and its method.
			value.Decs.End = arg.Decorations().End
			return value, func(dst.Expr) dst.Expr { return rule.Call(rule.Sel(bare(arg), "CheckValid")) }, true, ""
		},
	})
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil)}, func(n dst.Node) bool {
		id, ok := n.(*dst.Ident)
		if !ok || id.Path == "" {
			return true
		}
		if f, _ := p.ObjectOf(id).(*types.Func); rule.IsPkgFunc(f, v1Ptypes, "DurationProto") {
			p.Changed(id, change.Safe, "ptypes.DurationProto → durationpb.New")
			id.Path, id.Name = v2Durationpb, "New"
			p.Require(protobufModule, minProtobuf)
		}
		return true
	})
}

// bare returns a copy of e without the comments around it, for an
// argument that becomes a method receiver (possibly twice).
func bare(e dst.Expr) dst.Expr {
	c := rule.Clone(e)
	c.Decorations().Start, c.Decorations().End = nil, nil
	c.Decorations().Before, c.Decorations().After = dst.None, dst.None
	return c
}
