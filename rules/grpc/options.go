package grpc

import (
	"go/token"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Options rewrites deprecated dial, call and server options (spec C.1,
// C.2 MaxMsgSize/SharedWriteBuffer):
//
//	grpc.WithMaxMsgSize(n)         →  grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(n))
//	grpc.MaxMsgSize(n)             →  grpc.MaxRecvMsgSize(n)           (also as a function value)
//	grpc.FailFast(b)               →  grpc.WaitForReady(!b)
//	grpc.WithBackoffMaxDelay(d)    →  grpc.WithConnectParams(grpc.ConnectParams{Backoff: <default config with MaxDelay d>, MinConnectTimeout: 20 * time.Second})
//	grpc.WithBackoffConfig(bc)     →  the same with MaxDelay bc.MaxDelay
//	grpc.DefaultBackoffConfig.MaxDelay (read)  →  backoff.DefaultConfig.MaxDelay
//	grpc.WithSharedWriteBuffer(b), grpc.SharedWriteBuffer(b)  →  deleted
//
// Each replacement is what the old option does internally, so the rule is
// safe. WithConnectParams sets the whole backoff configuration and the
// per-attempt connect timeout; the rewrite spells out the default backoff
// values and the 20 s default timeout the old options left in place. The
// shared write buffer is the default since the options were deprecated:
// they are deleted from argument lists and slice literals (comments move to
// a neighbour) and become grpc.EmptyDialOption{}/EmptyServerOption{}
// elsewhere.
//
// Reported instead: the backoff options when the same call also passes
// WithConnectParams (the old option overrode only the backoff, the new one
// would also reset MinConnectTimeout), WithBackoffConfig of an expression
// with side effects, the buffer options when their argument has side
// effects, any of these used as function values, and other uses of the
// deprecated BackoffConfig type and DefaultBackoffConfig variable.
var Options = &rule.Rule{
	Name:    "grpc.options",
	Doc:     "deprecated grpc dial/call/server options → their current equivalents; no-op options deleted",
	Risk:    change.Safe,
	Imports: []string{grpcPath},
	Run:     runOptions,
}

var optionValueFix = map[string]string{
	"WithMaxMsgSize":        "func(n int) grpc.DialOption { return grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(n)) }",
	"FailFast":              "func(b bool) grpc.CallOption { return grpc.WaitForReady(!b) }",
	"WithBackoffMaxDelay":   "func(d time.Duration) grpc.DialOption { cfg := backoff.DefaultConfig; cfg.MaxDelay = d; return grpc.WithConnectParams(grpc.ConnectParams{Backoff: cfg, MinConnectTimeout: 20 * time.Second}) }",
	"WithBackoffConfig":     "func(d time.Duration) grpc.DialOption { cfg := backoff.DefaultConfig; cfg.MaxDelay = d; return grpc.WithConnectParams(grpc.ConnectParams{Backoff: cfg, MinConnectTimeout: 20 * time.Second}) }",
	"WithSharedWriteBuffer": "grpc.EmptyDialOption{} (the shared write buffer is the default)",
	"SharedWriteBuffer":     "grpc.EmptyServerOption{} (the shared write buffer is the default)",
}

func runOptions(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			optionCall(p, c, n)
		case *dst.SelectorExpr:
			defaultMaxDelay(p, c, n)
		case *dst.Ident:
			if n.Path == "" {
				return true
			}
			if isPkgObj(p, n, grpcPath, "MaxMsgSize") {
				p.Changed(n, change.Safe, "grpc.MaxMsgSize → grpc.MaxRecvMsgSize")
				rename(n, grpcPath, "MaxRecvMsgSize")
				p.Require(grpcModule, "v1.4.0")
				return true
			}
			if isCallFun(c) {
				return true
			}
			for name, fix := range optionValueFix {
				if isPkgObj(p, n, grpcPath, name) {
					p.Report(n, change.Manual, "grpc."+name+" is deprecated and used as a function value; replace it with the equivalent", fix)
					return true
				}
			}
			if isPkgObj(p, n, grpcPath, "BackoffConfig") || isPkgObj(p, n, grpcPath, "DefaultBackoffConfig") {
				p.Report(n, change.Manual, "grpc."+n.Name+" is deprecated: keep backoff settings in a backoff.Config (only MaxDelay carries over) and pass it with grpc.WithConnectParams, setting MinConnectTimeout: 20 * time.Second to keep the default connect timeout",
					"cfg := backoff.DefaultConfig\ncfg.MaxDelay = maxDelay\ngrpc.WithConnectParams(grpc.ConnectParams{Backoff: cfg, MinConnectTimeout: 20 * time.Second})")
			}
		}
		return true
	})
}

// defaultMaxDelay rewrites a read of grpc.DefaultBackoffConfig.MaxDelay,
// typically a flag's default value, to backoff.DefaultConfig.MaxDelay:
// both are 120 s, and the old variable has no other field. Writes and
// addresses stay reported, since they would move to a different variable.
func defaultMaxDelay(p *rule.Pass, c *cursor, n *dst.SelectorExpr) {
	id, ok := n.X.(*dst.Ident)
	if !ok || n.Sel.Name != "MaxDelay" || !isPkgObj(p, id, grpcPath, "DefaultBackoffConfig") {
		return
	}
	switch parent := c.Parent().(type) {
	case *dst.AssignStmt:
		if c.Name() == "Lhs" {
			return
		}
	case *dst.IncDecStmt:
		return
	case *dst.UnaryExpr:
		if parent.Op == token.AND {
			return
		}
	}
	p.Changed(n, change.Safe, "grpc.DefaultBackoffConfig.MaxDelay → backoff.DefaultConfig.MaxDelay (the same 120 s)")
	replace(c, rule.Sel(rule.QualifiedIdent(backoffPath, "DefaultConfig"), "MaxDelay"))
	p.Require(grpcModule, "v1.25.0")
}

func optionCall(p *rule.Pass, c *cursor, n *dst.CallExpr) {
	switch {
	case calleeIs(p, n, grpcPath, "WithMaxMsgSize") && len(n.Args) == 1:
		p.Changed(n, change.Safe, "grpc.WithMaxMsgSize → grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(n))")
		inner := rule.Call(rule.QualifiedIdent(grpcPath, "MaxCallRecvMsgSize"), n.Args[0])
		replace(c, rule.Call(rule.QualifiedIdent(grpcPath, "WithDefaultCallOptions"), inner))
		p.Require(grpcModule, "v1.4.0")
	case calleeIs(p, n, grpcPath, "FailFast") && len(n.Args) == 1:
		p.Changed(n, change.Safe, "grpc.FailFast(b) → grpc.WaitForReady(!b)")
		replace(c, rule.Call(rule.QualifiedIdent(grpcPath, "WaitForReady"), not(p, n.Args[0])))
		p.Require(grpcModule, "v1.18.0")
	case calleeIs(p, n, grpcPath, "WithBackoffMaxDelay") && len(n.Args) == 1:
		if conflictsWithConnectParams(p, c, n) {
			return
		}
		p.Changed(n, change.Safe, "grpc.WithBackoffMaxDelay → grpc.WithConnectParams with the default backoff, the given MaxDelay and the default 20 s MinConnectTimeout")
		replace(c, connectParams(backoffWithMaxDelay(n.Args[0])))
		p.Require(grpcModule, "v1.25.0")
	case calleeIs(p, n, grpcPath, "WithBackoffConfig") && len(n.Args) == 1:
		if conflictsWithConnectParams(p, c, n) {
			return
		}
		var cfg dst.Expr
		arg := n.Args[0]
		switch a := arg.(type) {
		case *dst.Ident:
			if isPkgObj(p, a, grpcPath, "DefaultBackoffConfig") {
				cfg = rule.QualifiedIdent(backoffPath, "DefaultConfig")
			}
		case *dst.CompositeLit:
			d := dst.Expr(&dst.BasicLit{Kind: token.INT, Value: "0"})
			for _, e := range a.Elts {
				if kv, ok := e.(*dst.KeyValueExpr); ok {
					d = kv.Value
				} else {
					d = e
				}
			}
			cfg = backoffWithMaxDelay(d)
		}
		if cfg == nil && p.SideEffectFree(arg) {
			cfg = backoffWithMaxDelay(rule.Sel(arg, "MaxDelay"))
		}
		if cfg == nil {
			p.Report(n, change.Manual, "grpc.WithBackoffConfig is deprecated, and its argument has possible side effects; assign it to a variable first so its MaxDelay can be carried over to grpc.WithConnectParams", optionValueFix["WithBackoffConfig"])
			return
		}
		p.Changed(n, change.Safe, "grpc.WithBackoffConfig → grpc.WithConnectParams with the default backoff, the config's MaxDelay and the default 20 s MinConnectTimeout")
		replace(c, connectParams(cfg))
		p.Require(grpcModule, "v1.25.0")
	case calleeIs(p, n, grpcPath, "WithSharedWriteBuffer") && len(n.Args) == 1:
		dropOption(p, c, n, "WithSharedWriteBuffer", "DialOption")
	case calleeIs(p, n, grpcPath, "SharedWriteBuffer") && len(n.Args) == 1:
		dropOption(p, c, n, "SharedWriteBuffer", "ServerOption")
	}
}

func dropOption(p *rule.Pass, c *cursor, n *dst.CallExpr, name, typ string) {
	if !p.SideEffectFree(n.Args[0]) {
		p.Report(n, change.Manual, "grpc."+name+" is deprecated and has no effect (the shared write buffer is the default), but its argument has possible side effects; keep them and drop the option by hand", optionValueFix[name])
		return
	}
	p.Changed(n, change.Safe, "grpc."+name+" deleted: the shared write buffer is the default")
	deleteOption(p, c, typ)
}

// conflictsWithConnectParams reports, and returns true, when the option
// list holding the backoff option also sets WithConnectParams.
func conflictsWithConnectParams(p *rule.Pass, c *cursor, n *dst.CallExpr) bool {
	var list []dst.Expr
	switch parent := c.Parent().(type) {
	case *dst.CallExpr:
		list = parent.Args
	case *dst.CompositeLit:
		list = parent.Elts
	}
	for _, e := range list {
		if call, ok := e.(*dst.CallExpr); ok && calleeIs(p, call, grpcPath, "WithConnectParams") {
			p.Report(n, change.Manual, "deprecated backoff option next to grpc.WithConnectParams: it only overrode the backoff, while folding it into WithConnectParams would also reset MinConnectTimeout; merge its MaxDelay into the existing ConnectParams.Backoff by hand", "")
			return true
		}
	}
	return false
}

// backoffWithMaxDelay builds backoff.DefaultConfig with MaxDelay d as one
// expression, so it fits wherever the option was.
func backoffWithMaxDelay(d dst.Expr) dst.Expr {
	def := func(f string) dst.Expr { return rule.Sel(rule.QualifiedIdent(backoffPath, "DefaultConfig"), f) }
	kv := func(k string, v dst.Expr) dst.Expr {
		e := &dst.KeyValueExpr{Key: dst.NewIdent(k), Value: v}
		e.Decs.Before = dst.NewLine
		return e
	}
	last := kv("MaxDelay", d)
	last.Decorations().After = dst.NewLine
	return &dst.CompositeLit{
		Type: rule.QualifiedIdent(backoffPath, "Config"),
		Elts: []dst.Expr{
			kv("BaseDelay", def("BaseDelay")),
			kv("Multiplier", def("Multiplier")),
			kv("Jitter", def("Jitter")),
			last,
		},
	}
}

func connectParams(cfg dst.Expr) dst.Expr {
	timeout := &dst.BinaryExpr{X: &dst.BasicLit{Kind: token.INT, Value: "20"}, Op: token.MUL, Y: rule.QualifiedIdent(timePath, "Second")}
	params := &dst.CompositeLit{
		Type: rule.QualifiedIdent(grpcPath, "ConnectParams"),
		Elts: []dst.Expr{
			&dst.KeyValueExpr{Key: dst.NewIdent("Backoff"), Value: cfg},
			&dst.KeyValueExpr{Key: dst.NewIdent("MinConnectTimeout"), Value: timeout},
		},
	}
	return rule.Call(rule.QualifiedIdent(grpcPath, "WithConnectParams"), params)
}
