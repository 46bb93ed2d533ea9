package protov1

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// ProtoText moves the text-format functions of
// github.com/golang/protobuf/proto to encoding/prototext (spec A.1, text
// rows):
//
//	proto.MarshalTextString(m)  →  textOpts{Multiline: true}.Format(m)
//	proto.CompactTextString(m)  →  textOpts{}.Format(m)
//	err := proto.MarshalText(w, m)  →  _, err := w.Write([]byte(textOpts{Multiline: true}.Format(m)))
//	err := proto.CompactText(w, m)  →  _, err := w.Write([]byte(textOpts{}.Format(m)))
//	proto.UnmarshalText(s, m)   →  prototext.Unmarshal([]byte(s), m)
//
// where textOpts is prototext.MarshalOptions with Resolver set to a nil
// *protoregistry.Types: v1 printed google.protobuf.Any fields as type_url
// and bytes, prototext expands them when the type is known, and an empty
// resolver keeps them unexpanded. Format is used because, like v1, it
// never fails on message content (partial messages, invalid UTF-8) and
// prints "<nil>" for a nil message, so the writer forms' only error is the
// writer's, as before. prototext's whitespace is deliberately unstable
// (and non-printable bytes are escaped as \xNN, not octal), and
// UnmarshalText's grammar is stricter with opaque errors: risk
// "review". Messages that only implement the v1 interface are wrapped
// with protoadapt.MessageV2Of. Reported: function values,
// proto.TextMarshaler (its Compact/ExpandAny fields invert into
// Multiline/Resolver; rewrite by hand with the suggestion), ParseError
// (prototext errors have no line/offset fields), and writer-form calls
// whose results are used other than as a statement, an error assignment,
// or a returned error.
var ProtoText = &rule.Rule{
	Name:    "protov1.proto.text",
	Doc:     "proto text format (MarshalText, MarshalTextString, CompactText, CompactTextString, UnmarshalText) → prototext, Any fields kept unexpanded",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoText,
}

const textMarshalerAdvice = "prototext.MarshalOptions{Multiline: !Compact, EmitUnknown: true, AllowPartial: true} (+ Resolver: (*protoregistry.Types)(nil) when ExpandAny was false); then b, err := opts.Marshal(m) and w.Write(b), or opts.Format(m) for Text"

func runProtoText(p *rule.Pass) {
	nm := newNamer(p)
	textFn := func(f *types.Func) string {
		for _, n := range []string{"MarshalText", "MarshalTextString", "CompactText", "CompactTextString", "UnmarshalText"} {
			if rule.IsPkgFunc(f, v1Proto, n) {
				return n
			}
		}
		return ""
	}
	// format builds opts.Format(m) for the multi-line or compact form.
	format := func(multiline bool, m dst.Expr) dst.Expr {
		lit := &dst.CompositeLit{Type: rule.QualifiedIdent(v2Prototext, "MarshalOptions")}
		if multiline {
			lit.Elts = append(lit.Elts, &dst.KeyValueExpr{Key: ident("Multiline"), Value: ident("true")})
		}
		nilTypes := &dst.CallExpr{Fun: &dst.ParenExpr{X: &dst.StarExpr{X: rule.QualifiedIdent(v2Protoregistry, "Types")}}, Args: exprs(ident("nil"))}
		lit.Elts = append(lit.Elts, &dst.KeyValueExpr{Key: ident("Resolver"), Value: nilTypes})
		return rule.Call(rule.Sel(lit, "Format"), asV2(p, m))
	}
	// write builds w.Write([]byte(format)) for a writer-form call.
	write := func(call *dst.CallExpr, multiline bool) *dst.CallExpr {
		w := call.Args[0]
		if u, ok := w.(*dst.UnaryExpr); ok && u.Op == token.AND {
			if _, lit := u.X.(*dst.CompositeLit); !lit {
				w = u.X
			}
		}
		bytes := &dst.CallExpr{Fun: &dst.ArrayType{Elt: ident("byte")}, Args: exprs(format(multiline, call.Args[1]))}
		return rule.Call(rule.Sel(parenIfNeeded(w), "Write"), bytes)
	}
	writerCall := func(e dst.Expr) (*dst.CallExpr, bool) {
		c, ok := e.(*dst.CallExpr)
		if !ok || p.Ast(c) == nil || len(c.Args) != 2 {
			return nil, false
		}
		switch textFn(p.Callee(c)) {
		case "MarshalText":
			return c, true
		case "CompactText":
			return c, false
		}
		return nil, false
	}
	const writeMsg = "proto text writer form → prototext Format + w.Write (output whitespace is not stable; Any fields stay unexpanded as in v1)"
	rule.StmtLists(p.File, func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			var repl []dst.Stmt
			switch s := s.(type) {
			case *dst.ExprStmt:
				if c, ml := writerCall(s.X); c != nil {
					p.Changed(s, change.Review, writeMsg)
					repl = []dst.Stmt{&dst.ExprStmt{X: write(c, ml)}}
				}
			case *dst.AssignStmt:
				if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
					break
				}
				if c, ml := writerCall(s.Rhs[0]); c != nil {
					p.Changed(s, change.Review, writeMsg)
					repl = []dst.Stmt{&dst.AssignStmt{Lhs: exprs(ident("_"), s.Lhs[0]), Tok: s.Tok, Rhs: exprs(write(c, ml))}}
					if rule.IsBlank(s.Lhs[0]) {
						repl = []dst.Stmt{&dst.ExprStmt{X: write(c, ml)}}
					}
				}
			case *dst.IfStmt:
				// `if err := proto.MarshalText(w, m); ...` keeps its shape.
				if as, ok := s.Init.(*dst.AssignStmt); ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
					if c, ml := writerCall(as.Rhs[0]); c != nil {
						p.Changed(as, change.Review, writeMsg)
						as.Lhs = exprs(ident("_"), as.Lhs[0])
						as.Rhs = exprs(write(c, ml))
						p.Require(protobufModule, minProtobuf)
					}
				}
			case *dst.ReturnStmt:
				if len(s.Results) != 1 {
					break
				}
				if c, ml := writerCall(s.Results[0]); c != nil {
					p.Changed(s, change.Review, writeMsg)
					e := nm.errName(s)
					repl = []dst.Stmt{define(exprs(ident("_"), ident(e)), write(c, ml)), &dst.ReturnStmt{Results: exprs(ident(e))}}
				}
			}
			if repl == nil {
				out = append(out, s)
				continue
			}
			p.Require(protobufModule, minProtobuf)
			rule.MoveStmtDecs(s, repl)
			out = append(out, repl...)
		}
		return out
	})
	called := map[dst.Node]bool{}
	dst.Inspect(p.File, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if p.Ast(n) == nil {
				return true
			}
			name := textFn(p.Callee(n))
			var repl dst.Expr
			switch name {
			case "MarshalTextString", "CompactTextString":
				if len(n.Args) == 1 {
					repl = format(name == "MarshalTextString", n.Args[0])
					p.Changed(n, change.Review, "proto."+name+" → prototext Format (output whitespace is not stable; Any fields stay unexpanded as in v1)")
				}
			case "UnmarshalText":
				if len(n.Args) == 2 {
					repl = rule.Call(rule.QualifiedIdent(v2Prototext, "Unmarshal"), &dst.CallExpr{Fun: &dst.ArrayType{Elt: ident("byte")}, Args: exprs(n.Args[0])}, asV2(p, n.Args[1]))
					p.Changed(n, change.Review, "proto.UnmarshalText → prototext.Unmarshal (stricter grammar; errors are not *proto.ParseError)")
				}
			case "MarshalText", "CompactText":
				if len(n.Args) == 2 {
					// An expression position: the writer's count is dropped
					// inside a function literal that yields just the error.
					c, ml := writerCall(n)
					e := nm.fresh(n, "err")
					repl = closure(exprs(errorType()),
						define(exprs(ident("_"), ident(e)), write(c, ml)),
						&dst.ReturnStmt{Results: exprs(ident(e))})
					p.Changed(n, change.Review, writeMsg)
				}
			}
			if repl != nil {
				rule.MoveDecs(n, repl)
				*n = *repl.(*dst.CallExpr)
				p.Require(protobufModule, minProtobuf)
			}
		case *dst.Ident:
			if n.Path != v1Proto {
				return true
			}
			switch o := p.ObjectOf(n).(type) {
			case *types.Func:
				if name := textFn(o); name != "" && !called[n] {
					p.Report(n, change.Manual, "not rewritten: proto."+name+" is used as a function value; its prototext replacement has another signature", "")
				}
			case *types.TypeName:
				switch o.Name() {
				case "TextMarshaler":
					p.Report(n, change.Manual, "not rewritten: proto.TextMarshaler's Compact and ExpandAny invert into prototext.MarshalOptions' Multiline and Resolver", textMarshalerAdvice)
				case "ParseError":
					p.Report(n, change.Manual, "proto.ParseError has no prototext counterpart: prototext errors are opaque (no Line/Offset); match on err != nil instead", "")
				}
			}
		}
		return true
	})
}
