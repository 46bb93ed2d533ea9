package grpc

import (
	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Logging moves the deprecated grpclog print functions to their LoggerV2
// names (spec C.5): Print, Printf, Println → Info, Infof, Infoln, in calls
// and as function values. Each old function calls the new one's logger
// method with the same arguments: safe. SetLogger and the Logger interface
// are reported (class X): LoggerV2 splits messages by severity, so a
// Logger implementation can't be converted mechanically; the suggestion
// shows the standard constructor.
var Logging = &rule.Rule{
	Name:    "grpc.logging",
	Doc:     "grpclog.Print/Printf/Println → Info/Infof/Infoln; SetLogger and Logger reported",
	Risk:    change.Safe,
	Imports: []string{grpclogPath},
	Run:     runLogging,
}

var logRenames = map[string]string{"Print": "Info", "Printf": "Infof", "Println": "Infoln"}

func runLogging(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		n := refIdent(c)
		if n == nil {
			return true
		}
		for old, to := range logRenames {
			if isPkgObj(p, n, grpclogPath, old) {
				p.Changed(n, change.Safe, "grpclog."+old+" → grpclog."+to)
				rename(n, grpclogPath, to)
				p.Require(grpcModule, "v1.5.0")
				return true
			}
		}
		switch {
		case isPkgObj(p, n, grpclogPath, "SetLogger"):
			p.Report(n, change.Manual, "grpclog.SetLogger is deprecated: install a LoggerV2 with SetLoggerV2 (before any gRPC call), choosing writers per severity",
				"grpclog.SetLoggerV2(grpclog.NewLoggerV2(infoW, warningW, errorW))")
		case isPkgObj(p, n, grpclogPath, "Logger"):
			p.Report(n, change.Manual, "grpclog.Logger is deprecated: implement grpclog.LoggerV2 (Info/Warning/Error/Fatal families and V) instead", "grpclog.LoggerV2")
		}
		return true
	})
}
