package grpc

import (
	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Balancer handles deprecated APIs of custom load-balancing policies
// (spec C.7):
//
//	cc.RemoveSubConn(sc)  →  sc.Shutdown()
//
// for calls through the balancer.ClientConn interface whose receiver is a
// plain variable or field (dropping it loses no effect). gRPC's own
// ClientConn wrapper implements RemoveSubConn as exactly sc.Shutdown(), but
// a parent policy handing a child its own ClientConn may have done more:
// review.
//
// Reported (class X): ClientConn.Target (use BuildOptions.Target),
// ClientConn.UpdateAddresses and SubConn.UpdateAddresses (create a new
// SubConn), ClientConn.NewSubConn (note: SubConns will hold one address),
// calls of Balancer.UpdateSubConnState (use NewSubConnOptions.StateListener),
// ExitIdler (ExitIdle is a required Balancer method since 1.74),
// ErrTransientFailure and TransientFailureError (return the real error),
// and NewSubConnOptions.CredsBundle. Identifiers removed before grpc 1.85
// (V2Balancer, V2Picker, base.NewErrPickerV2, pickfirstleaf) can't appear
// in code that builds against it and are not handled.
var Balancer = &rule.Rule{
	Name:    "grpc.balancer",
	Doc:     "balancer.ClientConn.RemoveSubConn → SubConn.Shutdown; other deprecated balancer APIs reported",
	Risk:    change.Review,
	Imports: []string{balancerPath, basePath},
	Run:     runBalancer,
}

var balancerMethodNotes = []struct{ typ, method, msg, suggestion string }{
	{"ClientConn", "Target", "balancer.ClientConn.Target is deprecated: use the Target field of the BuildOptions the balancer was built with", "opts.Target.String()"},
	{"ClientConn", "UpdateAddresses", "balancer.ClientConn.UpdateAddresses is deprecated: create a new SubConn for the new addresses and shut the old one down", ""},
	{"SubConn", "UpdateAddresses", "balancer.SubConn.UpdateAddresses is deprecated: create a new SubConn for the new addresses and shut the old one down", ""},
	{"ClientConn", "NewSubConn", "balancer.ClientConn.NewSubConn is deprecated in its multi-address form: SubConns will hold a single address; pass one address and a StateListener", "cc.NewSubConn([]resolver.Address{addr}, balancer.NewSubConnOptions{StateListener: func(s balancer.SubConnState) { ... }})"},
	{"Balancer", "UpdateSubConnState", "balancer.Balancer.UpdateSubConnState is deprecated: gRPC delivers SubConn state to the NewSubConnOptions.StateListener given when creating the SubConn", ""},
}

func runBalancer(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			f := p.Callee(n)
			if rule.IsMethod(f, balancerPath, "ClientConn", "RemoveSubConn") && len(n.Args) == 1 {
				sel, ok := n.Fun.(*dst.SelectorExpr)
				if !ok || !p.SideEffectFree(sel.X) {
					p.Report(n, change.Manual, "balancer.ClientConn.RemoveSubConn is deprecated: call Shutdown on the SubConn (the receiver expression here may have side effects, so it is not dropped automatically)", "sc.Shutdown()")
					return true
				}
				p.Changed(n, change.Review, "cc.RemoveSubConn(sc) → sc.Shutdown()")
				replace(c, rule.Call(rule.Sel(n.Args[0], "Shutdown")))
				p.Require(grpcModule, "v1.58.0")
				return true
			}
			for _, m := range balancerMethodNotes {
				if rule.IsMethod(f, balancerPath, m.typ, m.method) {
					p.Report(n, change.Manual, m.msg, m.suggestion)
				}
			}
			if rule.IsPkgFunc(f, balancerPath, "TransientFailureError") {
				p.Report(n, change.Manual, "balancer.TransientFailureError is deprecated: pickers treat every non-status error as a transient failure; return the underlying error", "return balancer.PickResult{}, err")
			}
		case *dst.SelectorExpr:
			if n.Sel.Name == "CredsBundle" && c.Name() != "Lhs" && rule.IsNamed(p.TypeOf(n.X), balancerPath, "NewSubConnOptions") {
				p.Report(n, change.Manual, "balancer.NewSubConnOptions.CredsBundle is deprecated: pass credentials through the Attributes of the resolver.Address", "")
			}
		case *dst.KeyValueExpr:
			if k, ok := n.Key.(*dst.Ident); ok && k.Name == "CredsBundle" {
				if lit, ok := c.Parent().(*dst.CompositeLit); ok && rule.IsNamed(p.TypeOf(lit), balancerPath, "NewSubConnOptions") {
					p.Report(n, change.Manual, "balancer.NewSubConnOptions.CredsBundle is deprecated: pass credentials through the Attributes of the resolver.Address", "")
				}
			}
		case *dst.Ident:
			if n.Path == "" || isCallFun(c) {
				return true
			}
			switch {
			case isPkgObj(p, n, balancerPath, "ExitIdler"):
				p.Report(n, change.Manual, "balancer.ExitIdler is deprecated: ExitIdle() is a required method of balancer.Balancer since grpc 1.74; implement it on the balancer itself", "func (b *myBalancer) ExitIdle() {}")
			case isPkgObj(p, n, balancerPath, "ErrTransientFailure"):
				p.Report(n, change.Manual, "balancer.ErrTransientFailure is deprecated: return an error describing the last resolver or connection failure instead", "")
			case isPkgObj(p, n, balancerPath, "TransientFailureError"):
				p.Report(n, change.Manual, "balancer.TransientFailureError is deprecated and used as a function value: return the underlying error instead", "")
			}
		}
		return true
	})
}
