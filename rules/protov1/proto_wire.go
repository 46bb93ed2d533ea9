package protov1

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoWire moves the varint helpers and wire-type constants of
// github.com/golang/protobuf/proto to google.golang.org/protobuf/encoding/protowire
// (spec A.1 rows EncodeVarint, SizeVarint, DecodeVarint, Wire*):
//
//	proto.EncodeVarint(v)          →  protowire.AppendVarint(nil, v)
//	proto.SizeVarint(v)            →  protowire.SizeVarint(v)
//	x, n := proto.DecodeVarint(b)  →  x, n := protowire.ConsumeVarint(b)   with n == 0 → n < 0, n != 0 → n > 0
//	proto.WireBytes (etc.)         →  protowire.BytesType, converted to the type the context gave the constant
//
// DecodeVarint signalled a bad varint with n == 0, ConsumeVarint with a
// negative n: every test of n against 0 is rewritten; a DecodeVarint whose
// n is never tested against 0 (so the error check cannot be seen), or
// whose results go anywhere but a plain assignment, is reported. The Wire*
// constants were untyped ints; protowire's are typed protowire.Type, so a
// use in an int context becomes int(protowire.BytesType) and a use in a
// constant expression that stays untyped is reported. Risk: safe (values
// and results are identical once the error test is adjusted).
var ProtoWire = &rule.Rule{
	Name:    "protov1.proto.wire",
	Doc:     "proto.EncodeVarint/SizeVarint/DecodeVarint and Wire* constants → protowire",
	Risk:    change.Safe,
	Imports: []string{v1Proto},
	Run:     runProtoWire,
}

var wireTypes = map[string]string{
	"WireVarint":     "VarintType",
	"WireFixed64":    "Fixed64Type",
	"WireBytes":      "BytesType",
	"WireStartGroup": "StartGroupType",
	"WireEndGroup":   "EndGroupType",
	"WireFixed32":    "Fixed32Type",
}

func runProtoWire(p *rule.Pass) {
	done := map[*dst.CallExpr]bool{}
	// The n results of rewritten DecodeVarint calls.
	counts := map[types.Object]*dst.CallExpr{}
	p.Inspector().Inspect([]dst.Node{(*dst.AssignStmt)(nil)}, func(n dst.Node) bool {
		as, ok := n.(*dst.AssignStmt)
		if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			return true
		}
		call, ok := as.Rhs[0].(*dst.CallExpr)
		if !ok || v1ProtoFunc(p.Callee(call)) != "DecodeVarint" {
			return true
		}
		done[call] = true
		if rule.IsBlank(as.Lhs[1]) {
			decodeToConsume(p, call, "")
			return true
		}
		id, ok := as.Lhs[1].(*dst.Ident)
		if !ok || as.Tok != token.DEFINE || !p.IsNewDef(id) {
			p.Report(call, change.Manual, "not rewritten: ConsumeVarint reports errors with a negative length where DecodeVarint returned 0; the length is stored in a variable declared elsewhere, so its tests cannot be found", "x, n := protowire.ConsumeVarint(b)\nif n < 0 {\n\treturn protowire.ParseError(n)\n}")
			return true
		}
		counts[p.ObjectOf(id)] = call
		return true
	})
	// Tests of each n against 0, to flip.
	tests := map[types.Object][]*dst.BinaryExpr{}
	p.Inspector().Inspect([]dst.Node{(*dst.BinaryExpr)(nil)}, func(n dst.Node) bool {
		b, ok := n.(*dst.BinaryExpr)
		if !ok {
			return true
		}
		for _, side := range [][2]dst.Expr{{b.X, b.Y}, {b.Y, b.X}} {
			id, ok := unparen(side[0]).(*dst.Ident)
			if !ok || !isZero(side[1]) {
				continue
			}
			if o := p.ObjectOf(id); o != nil && counts[o] != nil {
				tests[o] = append(tests[o], b)
			}
		}
		return true
	})
	for o, call := range counts {
		if len(tests[o]) == 0 {
			p.Report(call, change.Manual, "not rewritten: ConsumeVarint reports errors with a negative length where DecodeVarint returned 0, and no test of "+o.Name()+" against 0 follows; add the check", "x, n := protowire.ConsumeVarint(b)\nif n < 0 {\n\treturn protowire.ParseError(n)\n}")
			continue
		}
		decodeToConsume(p, call, o.Name())
		for _, b := range tests[o] {
			flipZeroTest(p, b)
		}
	}

	if !namesWireAPI(p) {
		return // nothing for the rewrite below, which needs a replacing cursor
	}
	dstutil.Apply(p.File, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			if done[n] {
				return true
			}
			id, ok := unparen(n.Fun).(*dst.Ident)
			if !ok {
				return true
			}
			switch v1ProtoFunc(p.Callee(n)) {
			case "EncodeVarint":
				p.Changed(n, change.Safe, "proto.EncodeVarint(v) → protowire.AppendVarint(nil, v)")
				id.Path, id.Name = v2Protowire, "AppendVarint"
				n.Args = append([]dst.Expr{dst.NewIdent("nil")}, n.Args...)
				p.Require(protobufModule, minProtobuf)
			case "SizeVarint":
				p.Changed(n, change.Safe, "proto.SizeVarint → protowire.SizeVarint")
				id.Path = v2Protowire
				p.Require(protobufModule, minProtobuf)
			case "DecodeVarint":
				p.Report(n, change.Manual, "not rewritten: DecodeVarint's results are not assigned to variables, so the changed error signalling (0 → negative length) cannot be followed", "x, n := protowire.ConsumeVarint(b)\nif n < 0 {\n\treturn protowire.ParseError(n)\n}")
			}
		case *dst.Ident:
			name, o := v1ProtoRef(p, n)
			if to, ok := wireTypes[name]; ok {
				wireConst(p, c, n, name, to)
				return true
			}
			if _, isFunc := o.(*types.Func); isFunc && (name == "EncodeVarint" || name == "DecodeVarint") && !isCalled(c) {
				p.Report(n, change.Manual, "not rewritten: proto."+name+" is used as a function value; its protowire replacement has a different signature", "")
			} else if name == "SizeVarint" && !isCalled(c) {
				p.Changed(n, change.Safe, "proto.SizeVarint → protowire.SizeVarint")
				n.Path = v2Protowire
				p.Require(protobufModule, minProtobuf)
			}
		}
		return true
	}, nil)
}

// namesWireAPI reports whether the file refers to one of the wire
// constants or varint functions (every call of one names it).
func namesWireAPI(p *rule.Pass) bool {
	for id := range rule.Nodes[*dst.Ident](p.Inspector()) {
		switch name, _ := v1ProtoRef(p, id); name {
		case "EncodeVarint", "SizeVarint", "DecodeVarint":
			return true
		default:
			if _, ok := wireTypes[name]; ok {
				return true
			}
		}
	}
	return false
}

// isCalled reports whether the cursor's node is the callee of a call.
func isCalled(c *dstutil.Cursor) bool {
	call, ok := c.Parent().(*dst.CallExpr)
	return ok && c.Name() == "Fun" && call != nil
}

func decodeToConsume(p *rule.Pass, call *dst.CallExpr, n string) {
	id, ok := unparen(call.Fun).(*dst.Ident)
	if !ok {
		return
	}
	msg := "proto.DecodeVarint → protowire.ConsumeVarint"
	if n != "" {
		msg += " (a bad varint now gives a negative " + n + ": its tests against 0 are adjusted)"
	}
	p.Changed(call, change.Safe, msg)
	id.Path, id.Name = v2Protowire, "ConsumeVarint"
	p.Require(protobufModule, minProtobuf)
}

// flipZeroTest rewrites a test of a DecodeVarint length against 0 to the
// ConsumeVarint convention (error: n < 0; success: n > 0).
func flipZeroTest(p *rule.Pass, b *dst.BinaryExpr) {
	zeroLeft := isZero(b.X)
	op := b.Op
	if zeroLeft {
		// 0 op n ≡ n op' 0
		switch op {
		case token.LSS:
			op = token.GTR
		case token.GTR:
			op = token.LSS
		case token.LEQ:
			op = token.GEQ
		case token.GEQ:
			op = token.LEQ
		}
		b.X, b.Y = b.Y, b.X
	}
	switch op {
	case token.EQL, token.LEQ: // error in v1 (n is never negative there)
		op = token.LSS
	case token.NEQ, token.GTR: // success in v1
		op = token.GTR
	case token.GEQ: // always true in v1
		p.Report(b, change.Manual, "comparison `n >= 0` on a DecodeVarint length was always true; review it against ConsumeVarint's negative error lengths", "")
	case token.LSS: // never true in v1
		p.Report(b, change.Manual, "comparison `n < 0` on a DecodeVarint length was never true; review it against ConsumeVarint's negative error lengths", "")
	}
	if op != b.Op || zeroLeft {
		p.Changed(b, change.Safe, "DecodeVarint length test against 0 → ConsumeVarint convention (negative on error)")
		b.Op = op
	}
}

func isZero(e dst.Expr) bool {
	l, ok := unparen(e).(*dst.BasicLit)
	return ok && l.Kind == token.INT && l.Value == "0"
}

// wireConst replaces a Wire* constant with protowire's typed one,
// converted to the type the context gave the untyped constant.
func wireConst(p *rule.Pass, c *dstutil.Cursor, id *dst.Ident, name, to string) {
	a, _ := p.Ast(id).(ast.Expr)
	var t types.Type
	if a != nil {
		t = p.Info().TypeOf(a)
	}
	if t == nil {
		return
	}
	repl := rule.QualifiedIdent(v2Protowire, to)
	if !rule.IsNamed(t, v2Protowire, "Type") {
		te := typeExpr(p, t)
		if te == nil {
			p.Report(id, change.Manual, "not rewritten: proto."+name+" is used in an untyped constant expression; protowire."+to+" is a typed protowire.Type (int8), so choose the type the expression should have", "int(protowire."+to+")")
			return
		}
		p.Changed(id, change.Safe, "proto."+name+" → protowire."+to+" converted to "+typeString(t))
		conv := rule.Call(te, repl)
		rule.MoveDecs(id, conv)
		c.Replace(conv)
		p.Require(protobufModule, minProtobuf)
		return
	}
	p.Changed(id, change.Safe, "proto."+name+" → protowire."+to)
	rule.MoveDecs(id, repl)
	c.Replace(repl)
	p.Require(protobufModule, minProtobuf)
}
