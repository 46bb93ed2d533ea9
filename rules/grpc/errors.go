package grpc

import (
	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Errors moves grpc's deprecated error helpers to package status (spec
// C.2, C.1 ErrClientConn*):
//
//	grpc.Errorf(c, f, a...)  →  status.Errorf(c, f, a...)   (also as a function value)
//	grpc.Code(err)           →  status.Code(err)            (also as a function value)
//	grpc.ErrorDesc(err)      →  status.Convert(err).Message()
//
// The old functions are implemented by exactly these calls, so the rule is
// safe. ErrorDesc used as a function value has no same-typed replacement and
// is reported with a closure to paste. ErrClientConnClosing and
// ErrClientConnTimeout are reported (class X): the first is a status error
// best tested with status.Code(err) == codes.Canceled, the second is never
// returned, so comparisons with it are always false and the code guarded by
// them is dead.
var Errors = &rule.Rule{
	Name:    "grpc.errors",
	Doc:     "grpc.Errorf/Code/ErrorDesc → package status; ErrClientConn* reported",
	Risk:    change.Safe,
	Imports: []string{grpcPath},
	Run:     runErrors,
}

func runErrors(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		if call, ok := c.Node().(*dst.CallExpr); ok && calleeIs(p, call, grpcPath, "ErrorDesc") && len(call.Args) == 1 {
			p.Changed(call, change.Safe, "grpc.ErrorDesc → status.Convert(err).Message()")
			conv := rule.Call(rule.QualifiedIdent(statusPath, "Convert"), call.Args[0])
			replace(c, rule.Call(rule.Sel(conv, "Message")))
			p.Require(grpcModule, "v1.10.0")
			return true
		}
		id := refIdent(c)
		if id == nil {
			return true
		}
		switch {
		case isPkgObj(p, id, grpcPath, "Errorf"):
			p.Changed(id, change.Safe, "grpc.Errorf → status.Errorf")
			rename(id, statusPath, "Errorf")
			p.Require(grpcModule, "v1.3.0")
		case isPkgObj(p, id, grpcPath, "Code"):
			p.Changed(id, change.Safe, "grpc.Code → status.Code")
			rename(id, statusPath, "Code")
			p.Require(grpcModule, "v1.9.0")
		case isPkgObj(p, id, grpcPath, "ErrorDesc") && !isCallFun(c):
			p.Report(id, change.Manual, "grpc.ErrorDesc is deprecated and used as a function value, which status has no same-typed function for; replace it with the closure",
				"func(err error) string { return status.Convert(err).Message() }")
		case isPkgObj(p, id, grpcPath, "ErrClientConnClosing"):
			p.Report(id, change.Manual, "grpc.ErrClientConnClosing is deprecated: the error a closed ClientConn returns is a status error with code Canceled; test the code instead of comparing errors",
				"status.Code(err) == codes.Canceled")
		case isPkgObj(p, id, grpcPath, "ErrClientConnTimeout"):
			p.Report(id, change.Manual, "grpc.ErrClientConnTimeout is deprecated and never returned, so comparisons with it are always false; remove the check or bound the connection attempt with a context deadline",
				"")
		}
		return true
	})
}
