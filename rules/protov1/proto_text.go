package protov1

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
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
//	proto.TextMarshaler{Compact: c, ExpandAny: e}  →  prototext.MarshalOptions{Multiline: !c, Resolver unless e}
//
// where textOpts is prototext.MarshalOptions with Resolver set to a nil
// *protoregistry.Types: v1 printed google.protobuf.Any fields as type_url
// and bytes, prototext expands them when the type is known, and an empty
// resolver keeps them unexpanded. Format is used because, like v1, it
// never fails on message content (partial messages, invalid UTF-8) and
// prints "<nil>" for a nil message, so the writer forms' only error is the
// writer's, as before. The output changes: prototext prints nested
// messages as {…} where v1 printed <…>, drops v1's space after each
// compact field and doubles spaces at random (and escapes non-printable
// bytes as \xNN, not octal); every rewritten call gets a warning
// diagnostic naming this, and a call whose output its function compares
// (==, a switch, strings.Contains, reflect.DeepEqual, cmp.Diff, testify
// Equal, a golden file; followed through local variables) or any such call
// under -keep-output-format is refused (output_format.go), and so is, in a
// module whose own files hold v1 text format (a golden file with `name: <`
// nested messages), a call whose output can reach a file or stdout
// through the writing package (output_files.go). UnmarshalText's
// grammar is stricter with opaque errors: risk "review". Messages that only implement the v1 interface are wrapped
// with protoadapt.MessageV2Of. proto.TextMarshaler becomes
// prototext.MarshalOptions (Compact → no Multiline, ExpandAny false → the
// empty resolver; Marshal → Format + w.Write, Text → Format) when every
// use in the package allows it: literals whose fields are constants, no
// field reads or writes, no method values, no values handed to other
// packages or flowing into other types (an interface, any), no type
// defined on it and no exported variable, field, function or method
// whose type mentions it (that would change the package's exported API);
// otherwise it stays, with the reason reported. Every Marshal call moves
// with the type: statement forms (including `else if err := tm.Marshal(…)`)
// keep their shape, other positions get a function literal. Reported too:
// function values and ParseError (prototext errors have no line/offset
// fields).
var ProtoText = &rule.Rule{
	Name:    "protov1.proto.text",
	Doc:     "proto text format (MarshalText, MarshalTextString, CompactText, CompactTextString, UnmarshalText) → prototext, Any fields kept unexpanded",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoText,
}

func runProtoText(p *rule.Pass) {
	t := &textRun{p: p, tm: textMarshalerPlan(p)}
	t.refused = warnTextOutput(p, t.tm, textFn)
	p.StmtLists(t.rewriteStmts)
	called := map[dst.Node]bool{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.CompositeLit)(nil), (*dst.Ident)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if p.Ast(n) != nil && !t.refused[n] {
				t.rewriteCall(n)
			}
		case *dst.CompositeLit:
			if t.tm.ok && rule.IsNamed(p.TypeOf(n), v1Proto, "TextMarshaler") {
				t.tm.literal(p, n)
			}
		case *dst.Ident:
			if n.Path == v1Proto {
				t.ident(n, called[n])
			}
		}
		return true
	})
}

// textFn returns the name of the v1 text-format function f is, or "".
func textFn(f *types.Func) string {
	for _, n := range []string{"MarshalText", "MarshalTextString", "CompactText", "CompactTextString", "UnmarshalText"} {
		if rule.IsPkgFunc(f, v1Proto, n) {
			return n
		}
	}
	return ""
}

// textRun is one file's run of the rule: the TextMarshaler plan and the
// calls refused because their output is compared or kept.
type textRun struct {
	p       *rule.Pass
	tm      *textMarshalerUse
	refused map[*dst.CallExpr]bool
}

const writeMsg = "proto text writer form → prototext Format + w.Write (output whitespace is not stable; Any fields stay unexpanded as in v1)"

// format builds opts.Format(m) for the multi-line or compact form.
func (t *textRun) format(multiline bool, m dst.Expr) dst.Expr {
	lit := &dst.CompositeLit{Type: rule.QualifiedIdent(v2Prototext, "MarshalOptions")}
	if multiline {
		lit.Elts = append(lit.Elts, &dst.KeyValueExpr{Key: dst.NewIdent("Multiline"), Value: dst.NewIdent("true")})
	}
	nilTypes := &dst.CallExpr{Fun: &dst.ParenExpr{X: &dst.StarExpr{X: rule.QualifiedIdent(v2Protoregistry, "Types")}}, Args: rule.Exprs(dst.NewIdent("nil"))}
	lit.Elts = append(lit.Elts, &dst.KeyValueExpr{Key: dst.NewIdent("Resolver"), Value: nilTypes})
	return rule.Call(rule.Sel(lit, "Format"), v2Arg(t.p, m))
}

// write builds w.Write([]byte(text())) for a writer-form call.
func (t *textRun) write(call *dst.CallExpr, text func() dst.Expr) *dst.CallExpr {
	w := call.Args[0]
	if u, ok := w.(*dst.UnaryExpr); ok && u.Op == token.AND {
		if _, lit := u.X.(*dst.CompositeLit); !lit {
			w = u.X
		}
	}
	bytes := &dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: rule.Exprs(text())}
	return rule.Call(rule.Sel(parenIfNeeded(w), "Write"), bytes)
}

// writerCall recognises MarshalText, CompactText and
// TextMarshaler.Marshal, returning a builder of the formatted text.
func (t *textRun) writerCall(e dst.Expr) (*dst.CallExpr, func() dst.Expr) {
	c, ok := e.(*dst.CallExpr)
	if !ok || t.p.Ast(c) == nil || len(c.Args) != 2 || t.refused[c] {
		return nil, nil
	}
	f := t.p.Callee(c)
	switch textFn(f) {
	case "MarshalText":
		return c, func() dst.Expr { return t.format(true, c.Args[1]) }
	case "CompactText":
		return c, func() dst.Expr { return t.format(false, c.Args[1]) }
	}
	if t.tm.ok && rule.IsMethod(f, v1Proto, "TextMarshaler", "Marshal") {
		recv := c.Fun.(*dst.SelectorExpr).X
		return c, func() dst.Expr { return rule.Call(rule.Sel(recv, "Format"), v2Arg(t.p, c.Args[1])) }
	}
	return nil, nil
}

// writerClosure is a writer-form call in an expression position (an
// argument, `else if err := tm.Marshal(w, m)`): a function literal that
// drops the writer's count and yields just the error.
func (t *textRun) writerClosure(n *dst.CallExpr) dst.Expr {
	c, text := t.writerCall(n)
	e := t.p.Names().Fresh(n, "err")
	return rule.Closure(rule.Exprs(errorType()),
		rule.DefineStmt(rule.Exprs(dst.NewIdent("_"), dst.NewIdent(e)), t.write(c, text)),
		&dst.ReturnStmt{Results: rule.Exprs(dst.NewIdent(e))})
}

// rewriteStmts rewrites the writer forms that are statements of their
// own, keeping the statement's shape.
func (t *textRun) rewriteStmts(list []dst.Stmt) []dst.Stmt {
	p := t.p
	var out []dst.Stmt
	for _, s := range list {
		var repl []dst.Stmt
		switch s := s.(type) {
		case *dst.ExprStmt:
			if c, text := t.writerCall(s.X); c != nil {
				p.Changed(s, change.Review, writeMsg)
				repl = []dst.Stmt{&dst.ExprStmt{X: t.write(c, text)}}
			}
		case *dst.AssignStmt:
			if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
				break
			}
			if c, text := t.writerCall(s.Rhs[0]); c != nil {
				p.Changed(s, change.Review, writeMsg)
				repl = []dst.Stmt{&dst.AssignStmt{Lhs: rule.Exprs(dst.NewIdent("_"), s.Lhs[0]), Tok: s.Tok, Rhs: rule.Exprs(t.write(c, text))}}
				if rule.IsBlank(s.Lhs[0]) {
					repl = []dst.Stmt{&dst.ExprStmt{X: t.write(c, text)}}
				}
			}
		case *dst.IfStmt:
			// `if err := proto.MarshalText(w, m); ...` keeps its shape,
			// and so does each `else if` of the chain.
			for ifs := s; ifs != nil; ifs, _ = ifs.Else.(*dst.IfStmt) {
				if as, ok := ifs.Init.(*dst.AssignStmt); ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
					if c, text := t.writerCall(as.Rhs[0]); c != nil {
						p.Changed(as, change.Review, writeMsg)
						as.Lhs = rule.Exprs(dst.NewIdent("_"), as.Lhs[0])
						as.Rhs = rule.Exprs(t.write(c, text))
						p.Require(protobufModule, minProtobuf)
					}
				}
			}
		case *dst.ReturnStmt:
			if len(s.Results) != 1 {
				break
			}
			if c, text := t.writerCall(s.Results[0]); c != nil {
				p.Changed(s, change.Review, writeMsg)
				e := errName(p, s)
				repl = []dst.Stmt{rule.DefineStmt(rule.Exprs(dst.NewIdent("_"), dst.NewIdent(e)), t.write(c, text)), &dst.ReturnStmt{Results: rule.Exprs(dst.NewIdent(e))}}
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
}

// rewriteCall rewrites a text-format call in an expression position.
func (t *textRun) rewriteCall(n *dst.CallExpr) {
	p := t.p
	var repl dst.Expr
	switch name := textFn(p.Callee(n)); name {
	case "MarshalTextString", "CompactTextString":
		if len(n.Args) == 1 {
			repl = t.format(name == "MarshalTextString", n.Args[0])
			if inStmtHeader(p.AstFile, p.Ast(n)) {
				// `if prototext.MarshalOptions{…}.Format(m) == ""` does
				// not parse: the literal's brace would open the block.
				sel := repl.(*dst.CallExpr).Fun.(*dst.SelectorExpr)
				sel.X = &dst.ParenExpr{X: sel.X}
			}
			p.Changed(n, change.Review, "proto."+name+" → prototext Format (output whitespace is not stable; Any fields stay unexpanded as in v1)")
		}
	case "UnmarshalText":
		if len(n.Args) == 2 {
			why, warn := jsonTextRisk(p, n.Args[1])
			if why != "" {
				p.Report(n, change.Manual, "not rewritten: "+why+textHandWritten, "")
				return
			}
			if warn != "" {
				p.Report(n, change.Review, warn+textHandWritten, "")
			}
			repl = rule.Call(rule.QualifiedIdent(v2Prototext, "Unmarshal"), &dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: rule.Exprs(n.Args[0])}, v2Arg(p, n.Args[1]))
			p.Changed(n, change.Review, "proto.UnmarshalText → prototext.Unmarshal (stricter grammar; errors are not *proto.ParseError)")
		}
	case "MarshalText", "CompactText":
		if len(n.Args) == 2 {
			repl = t.writerClosure(n)
			p.Changed(n, change.Review, writeMsg)
		}
	}
	if t.tm.ok && len(n.Args) == 2 && rule.IsMethod(p.Callee(n), v1Proto, "TextMarshaler", "Marshal") {
		repl = t.writerClosure(n)
		p.Changed(n, change.Review, writeMsg)
	}
	if t.tm.ok && len(n.Args) == 1 && rule.IsMethod(p.Callee(n), v1Proto, "TextMarshaler", "Text") {
		recv := n.Fun.(*dst.SelectorExpr).X
		repl = rule.Call(rule.Sel(recv, "Format"), v2Arg(p, n.Args[0]))
		p.Changed(n, change.Review, "proto.TextMarshaler.Text → prototext MarshalOptions.Format (output whitespace is not stable)")
	}
	if repl != nil {
		rule.MoveDecs(n, repl)
		*n = *repl.(*dst.CallExpr)
		p.Require(protobufModule, minProtobuf)
	}
}

// ident handles the package's other identifiers: text functions used as
// values, TextMarshaler (renamed when the plan allows) and ParseError.
func (t *textRun) ident(n *dst.Ident, called bool) {
	p := t.p
	switch o := p.ObjectOf(n).(type) {
	case *types.Func:
		if name := textFn(o); name != "" && !called {
			p.Report(n, change.Manual, "not rewritten: proto."+name+" is used as a function value; its prototext replacement has another signature", "")
		}
	case *types.TypeName:
		switch o.Name() {
		case "TextMarshaler":
			if t.tm.ok {
				p.Changed(n, change.Review, "proto.TextMarshaler → prototext.MarshalOptions")
				n.Path, n.Name = v2Prototext, "MarshalOptions"
				p.Require(protobufModule, minProtobuf)
			}
		case "ParseError":
			p.Report(n, change.Manual, "proto.ParseError has no prototext counterpart: prototext errors are opaque (no Line/Offset); match on err != nil instead", "")
		}
	}
}

// inStmtHeader reports whether the original expression n sits in the
// header of an if, for, range or switch statement outside any brackets,
// where a composite literal must be parenthesized.
func inStmtHeader(f *ast.File, n ast.Node) bool {
	if n == nil {
		return false
	}
	path, _ := astutil.PathEnclosingInterval(f, n.Pos(), n.End())
	child := n
	for _, anc := range path {
		if anc == n {
			continue
		}
		switch a := anc.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt:
			return true
		case *ast.ParenExpr, *ast.IndexExpr, *ast.IndexListExpr, *ast.CompositeLit, *ast.BlockStmt, *ast.FuncLit, *ast.CaseClause, *ast.CommClause, *ast.File:
			return false
		case *ast.CallExpr:
			if a.Fun != child {
				return false // an argument: the call's parentheses protect it
			}
		}
		child = anc
	}
	return false
}

// textHandWritten ends the refusal of a text call on a message that can
// be hand-written (handwritten.go).
const textHandWritten = "; prototext would print and parse it through that derived descriptor, which has no fields"

// warnTextOutput puts a warning on every call whose text output the rule
// changes, and refuses (returning them) the package-function calls whose
// output is compared or that -keep-output-format keeps (output_format.go;
// TextMarshaler calls are refused through textMarshalerPlan).
func warnTextOutput(p *rule.Pass, tm *textMarshalerUse, textFn func(*types.Func) string) map[*dst.CallExpr]bool {
	refused := map[*dst.CallExpr]bool{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil)}, func(n dst.Node) bool {
		c, ok := n.(*dst.CallExpr)
		if !ok {
			return true
		}
		a, _ := p.Ast(c).(*ast.CallExpr)
		if a == nil {
			return true
		}
		f := p.Callee(c)
		msg, nargs := textMultiMsg, 1
		switch textFn(f) {
		case "MarshalTextString":
		case "CompactTextString":
			msg = textCompMsg
		case "MarshalText":
			nargs = 2
		case "CompactText":
			msg, nargs = textCompMsg, 2
		default:
			if tm.ok && ((rule.IsMethod(f, v1Proto, "TextMarshaler", "Marshal") && len(a.Args) == 2) || (rule.IsMethod(f, v1Proto, "TextMarshaler", "Text") && len(a.Args) == 1)) {
				p.Report(c, change.Review, textOptsMsg, "")
				if _, warn := jsonTextRisk(p, c.Args[len(c.Args)-1]); warn != "" {
					p.Report(c, change.Review, warn+textHandWritten, "")
				}
			}
			return true
		}
		if len(a.Args) != nargs {
			return true
		}
		var writer ast.Expr
		if nargs == 2 {
			writer = a.Args[0]
		}
		why, warn := jsonTextRisk(p, c.Args[nargs-1])
		if why != "" {
			refused[c] = true
			p.Report(c, change.Manual, "not rewritten: "+why+textHandWritten, "")
			return true
		}
		if why := refuseOutput(p, a, writer, "text"); why != "" {
			refused[c] = true
			p.Report(c, change.Manual, "not rewritten: "+why, "")
			return true
		}
		if warn != "" {
			p.Report(c, change.Review, warn+textHandWritten, "")
		}
		p.Report(c, change.Review, msg, "")
		return true
	})
	return refused
}

// textMarshalerUse decides whether proto.TextMarshaler can become
// prototext.MarshalOptions in this package: only when every use is a type
// reference, a literal whose Compact/ExpandAny are the constants true or
// false, or a call of Marshal/Text, since the fields invert meaning
// (Compact → !Multiline, ExpandAny false → an empty Resolver).
type textMarshalerUse struct{ ok bool }

func textMarshalerPlan(p *rule.Pass) *textMarshalerUse {
	s := &optionStruct{
		name:    "TextMarshaler",
		fields:  map[string]string{"Compact": "", "ExpandAny": ""},
		methods: map[string]bool{"Marshal": true, "Text": true},
		litOK:   true,
	}
	s.pkgPath = v1Proto
	uses := s.blockers(p, func(_ string, n ast.Node) (token.Pos, string, bool) {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if !rule.IsNamed(p.Info().TypeOf(n), v1Proto, "TextMarshaler") {
				return token.NoPos, "", false
			}
			for _, e := range n.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if _, isConst := boolConst(p.Info(), kv.Value); !isConst {
					return kv.Pos(), "proto.TextMarshaler field set to a non-constant: it inverts meaning in prototext.MarshalOptions", true
				}
			}
		case *ast.CallExpr:
			f, _ := typeutil.Callee(p.Info(), n).(*types.Func)
			if f != nil && (rule.IsMethod(f, v1Proto, "TextMarshaler", "Text") && len(n.Args) == 1 || rule.IsMethod(f, v1Proto, "TextMarshaler", "Marshal") && len(n.Args) == 2) {
				if m, ok := p.Dec.Dst.Nodes[n.Args[len(n.Args)-1]].(dst.Expr); ok {
					if why, _ := jsonTextRisk(p, m); why != "" {
						return n.Pos(), why + textHandWritten, true
					}
				}
			}
			if f != nil && rule.IsMethod(f, v1Proto, "TextMarshaler", "Text") && len(n.Args) == 1 {
				if why := refuseOutput(p, n, nil, "text"); why != "" {
					return n.Pos(), why, true
				}
			}
			if f != nil && rule.IsMethod(f, v1Proto, "TextMarshaler", "Marshal") && len(n.Args) == 2 {
				if why := refuseOutput(p, n, n.Args[0], "text"); why != "" {
					return n.Pos(), why, true
				}
				if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && !rule.SideEffectFreeAst(p.Fset, p.Info(), sel.X) {
					return n.Pos(), "the TextMarshaler expression of this call would be evaluated after the writer; assign it to a variable first", true
				}
			}
		}
		return token.NoPos, "", false
	})
	if len(uses) > 0 {
		s.reportBlocked(p, uses)
		return &textMarshalerUse{}
	}
	return &textMarshalerUse{ok: true}
}

// literal rewrites the fields of a TextMarshaler literal in place.
func (*textMarshalerUse) literal(p *rule.Pass, n *dst.CompositeLit) {
	compact, expand := false, false
	for _, e := range n.Elts {
		kv := e.(*dst.KeyValueExpr)
		v, _ := boolConst(p.Info(), p.Ast(kv.Value).(ast.Expr))
		switch kv.Key.(*dst.Ident).Name {
		case "Compact":
			compact = v
		case "ExpandAny":
			expand = v
		}
	}
	p.Changed(n, change.Review, "proto.TextMarshaler{Compact, ExpandAny} → prototext.MarshalOptions{Multiline: !Compact, Resolver: empty unless ExpandAny}")
	n.Elts = nil
	if !compact {
		n.Elts = append(n.Elts, &dst.KeyValueExpr{Key: dst.NewIdent("Multiline"), Value: dst.NewIdent("true")})
	}
	if !expand {
		nilTypes := &dst.CallExpr{Fun: &dst.ParenExpr{X: &dst.StarExpr{X: rule.QualifiedIdent(v2Protoregistry, "Types")}}, Args: rule.Exprs(dst.NewIdent("nil"))}
		n.Elts = append(n.Elts, &dst.KeyValueExpr{Key: dst.NewIdent("Resolver"), Value: nilTypes})
	}
	p.Require(protobufModule, minProtobuf)
}

// boolConst returns the value of a boolean constant expression.
func boolConst(info *types.Info, e ast.Expr) (bool, bool) {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Bool {
		return false, false
	}
	return constant.BoolVal(tv.Value), true
}
