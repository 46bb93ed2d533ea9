package grpc

import (
	"go/token"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// Stats rewrites deprecated stats APIs (spec C.8):
//
//	stats.PickerUpdated     →  stats.DelayedPickComplete   (type alias)
//	stats.SetTags(ctx, b)   →  metadata.AppendToOutgoingContext(ctx, "grpc-tags-bin", string(b))
//	stats.SetTrace(ctx, b)  →  metadata.AppendToOutgoingContext(ctx, "grpc-trace-bin", string(b))
//
// These are exactly what the old names are or do: safe. Reported (no
// expression-level replacement, or none at all): stats.Tags and
// stats.Trace (read the last value of the incoming metadata key),
// reads of OutTrailer.WireLength (never set) and End.Trailer (use
// InTrailer.Trailer), and the setters used as function values.
var Stats = &rule.Rule{
	Name:    "grpc.stats",
	Doc:     "stats.PickerUpdated, SetTags, SetTrace → current equivalents; Tags, Trace and dead stats fields reported",
	Risk:    change.Safe,
	Imports: []string{statsPath},
	Run:     runStats,
}

var statsKeys = map[string]string{"SetTags": "grpc-tags-bin", "SetTrace": "grpc-trace-bin", "Tags": "grpc-tags-bin", "Trace": "grpc-trace-bin"}

func runStats(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			for _, name := range []string{"SetTags", "SetTrace"} {
				if calleeIs(p, n, statsPath, name) && len(n.Args) == 2 {
					key := &dst.BasicLit{Kind: token.STRING, Value: `"` + statsKeys[name] + `"`}
					p.Changed(n, change.Safe, "stats."+name+" → metadata.AppendToOutgoingContext with key "+statsKeys[name])
					val := rule.Call(dst.NewIdent("string"), n.Args[1])
					replace(c, rule.Call(rule.QualifiedIdent(metadataPath, "AppendToOutgoingContext"), n.Args[0], key, val))
					p.Require(grpcModule, "v1.10.0")
				}
			}
			for _, name := range []string{"Tags", "Trace"} {
				if calleeIs(p, n, statsPath, name) {
					p.Report(n, change.Manual, "stats."+name+" is deprecated: read the last value of the incoming metadata key "+statsKeys[name],
						"var b []byte\nif vs := metadata.ValueFromIncomingContext(ctx, \""+statsKeys[name]+"\"); len(vs) > 0 {\n\tb = []byte(vs[len(vs)-1])\n}")
				}
			}
		case *dst.SelectorExpr:
			if c.Name() == "Lhs" {
				return true
			}
			switch {
			case n.Sel.Name == "WireLength" && rule.IsNamed(p.TypeOf(n.X), statsPath, "OutTrailer"):
				p.Report(n, change.Manual, "stats.OutTrailer.WireLength is deprecated and never set (always 0)", "")
			case n.Sel.Name == "Trailer" && rule.IsNamed(p.TypeOf(n.X), statsPath, "End"):
				p.Report(n, change.Manual, "stats.End.Trailer is deprecated: take the trailer from the stats.InTrailer event", "")
			}
		case *dst.Ident:
			if n.Path == "" {
				return true
			}
			if isPkgObj(p, n, statsPath, "PickerUpdated") {
				p.Changed(n, change.Safe, "stats.PickerUpdated → stats.DelayedPickComplete")
				rename(n, statsPath, "DelayedPickComplete")
				p.Require(grpcModule, "v1.75.0")
				return true
			}
			if isCallFun(c) {
				return true
			}
			for name, key := range statsKeys {
				if isPkgObj(p, n, statsPath, name) {
					p.Report(n, change.Manual, "stats."+name+" is deprecated and used as a function value: use the metadata key "+key+" directly", "")
				}
			}
		}
		return true
	})
}
