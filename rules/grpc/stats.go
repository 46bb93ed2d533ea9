package grpc

import (
	"go/token"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Stats rewrites deprecated stats APIs (spec C.8):
//
//	stats.PickerUpdated     →  stats.DelayedPickComplete   (type alias)
//	stats.SetTags(ctx, b)   →  metadata.AppendToOutgoingContext(ctx, "grpc-tags-bin", string(b))
//	stats.SetTrace(ctx, b)  →  metadata.AppendToOutgoingContext(ctx, "grpc-trace-bin", string(b))
//
//	b := stats.Tags(ctx)    →  var b []byte
//	                           if vs := metadata.ValueFromIncomingContext(ctx, "grpc-tags-bin"); len(vs) > 0 {
//	                           	b = []byte(vs[len(vs)-1])
//	                           }
//
// (and stats.Trace with "grpc-trace-bin"; `b = stats.Tags(ctx)` assigns
// nil first). These are exactly what the old functions are or do: safe.
// Reported: Tags and Trace anywhere but as the whole right-hand side of
// a one-variable assignment, reads of OutTrailer.WireLength (never set)
// and End.Trailer (use InTrailer.Trailer), and the functions used as
// values.
var Stats = &rule.Rule{
	Name:    "grpc.stats",
	Doc:     "stats.PickerUpdated, SetTags, SetTrace → current equivalents; Tags, Trace and dead stats fields reported",
	Risk:    change.Safe,
	Imports: []string{statsPath},
	Run:     runStats,
}

var statsKeys = map[string]string{"SetTags": "grpc-tags-bin", "SetTrace": "grpc-trace-bin", "Tags": "grpc-tags-bin", "Trace": "grpc-trace-bin"}

func runStats(p *rule.Pass) {
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, st := range list {
			if repl := statsRead(p, st); repl != nil {
				out = append(out, repl...)
				continue
			}
			out = append(out, st)
		}
		return out
	})
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

// statsRead rewrites `b := stats.Tags(ctx)` / `b = stats.Trace(ctx)` into
// the metadata read those functions perform, or returns nil.
func statsRead(p *rule.Pass, st dst.Stmt) []dst.Stmt {
	as, ok := st.(*dst.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 || (as.Tok != token.DEFINE && as.Tok != token.ASSIGN) || rule.IsBlank(as.Lhs[0]) {
		return nil
	}
	call, ok := as.Rhs[0].(*dst.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil
	}
	name := ""
	for _, n := range []string{"Tags", "Trace"} {
		if calleeIs(p, call, statsPath, n) {
			name = n
		}
	}
	if name == "" || !p.SideEffectFree(as.Lhs[0]) {
		return nil
	}
	define := as.Tok == token.DEFINE
	lhs, isIdent := as.Lhs[0].(*dst.Ident)
	if define && (!isIdent || !p.IsNewDef(lhs)) {
		return nil
	}
	vs := p.Names().FreshIn(st, "vs")
	key := &dst.BasicLit{Kind: token.STRING, Value: `"` + statsKeys[name] + `"`}
	p.Changed(call, change.Safe, "stats."+name+" → the last value of incoming metadata key "+statsKeys[name])
	p.Require(grpcModule, "v1.50.0")
	var out []dst.Stmt
	if define {
		out = append(out, rule.VarDecl(lhs.Name, &dst.ArrayType{Elt: dst.NewIdent("byte")}))
	} else {
		out = append(out, rule.AssignStmt(rule.Exprs(rule.Clone(as.Lhs[0])), dst.NewIdent("nil")))
	}
	last := &dst.IndexExpr{X: dst.NewIdent(vs), Index: &dst.BinaryExpr{
		X: rule.Call(dst.NewIdent("len"), dst.NewIdent(vs)), Op: token.SUB, Y: &dst.BasicLit{Kind: token.INT, Value: "1"},
	}}
	target := rule.Clone(as.Lhs[0])
	if define {
		target = dst.NewIdent(lhs.Name)
	}
	read := rule.If(&dst.BinaryExpr{X: rule.Call(dst.NewIdent("len"), dst.NewIdent(vs)), Op: token.GTR, Y: &dst.BasicLit{Kind: token.INT, Value: "0"}},
		rule.AssignStmt(rule.Exprs(target), rule.Call(&dst.ArrayType{Elt: dst.NewIdent("byte")}, last)))
	read.Init = rule.DefineStmt(rule.Exprs(dst.NewIdent(vs)), rule.Call(rule.QualifiedIdent(metadataPath, "ValueFromIncomingContext"), call.Args[0], key))
	out = append(out, read)
	rule.MoveStmtDecs(st, out)
	return out
}
