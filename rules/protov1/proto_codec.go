package protov1

import (
	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoCodec moves the message codec functions of
// github.com/golang/protobuf/proto (spec A.1, A.7) to
// google.golang.org/protobuf/proto:
//
//	proto.Marshal(m), Unmarshal(b, m), Size(m), Merge(d, s), Equal(x, y), Clone(m)  →  same names in APIv2
//	proto.UnmarshalMerge(b, m)  →  proto.UnmarshalOptions{Merge: true}.Unmarshal(b, m)
//
// Every message argument whose static type does not implement the v2
// interface (v1.3 generated code, hand-written messages, values typed as
// the v1 interface) is wrapped in protoadapt.MessageV2Of (hazard H2).
// That holds for hand-written messages too: TestHandWrittenBinaryCallsOwnMethods
// shows that the wrapper's Marshal, Unmarshal, Size and Clone call the
// type's own Marshal/Unmarshal methods, as v1 did, and Equal answers as
// golang/protobuf v1.4+'s did (handwritten.go).
// Clone returns the v2 interface, so its result is turned back into a v1
// value with protoadapt.MessageV1Of, except where it is only asserted to a
// type that implements v2 or passed straight to another codec call.
//
// Risk: Size, Merge, Equal and Clone behave as in golang/protobuf >= v1.4
// (which already delegated to APIv2): safe. Marshal and Unmarshal return
// different errors (no ErrNil for nil messages, no *RequiredNotSetError,
// a recursion limit on parsing): review. DiscardUnknown has no APIv2
// function and is reported with a helper to paste (class X). Function
// values of these functions are reported: their parameter types change.
var ProtoCodec = &rule.Rule{
	Name:    "protov1.proto.codec",
	Doc:     "proto.Marshal/Unmarshal/UnmarshalMerge/Size/Merge/Equal/Clone → google.golang.org/protobuf/proto, legacy messages wrapped with protoadapt",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoCodec,
}

// codecArity is the number of arguments of each codec function and which
// of them are messages.
var codecMsgArgs = map[string][]bool{
	"Marshal":        {true},
	"Unmarshal":      {false, true},
	"UnmarshalMerge": {false, true},
	"Size":           {true},
	"Merge":          {true, true},
	"Equal":          {true, true},
	"Clone":          {true},
}

var codecRisk = map[string]change.Risk{
	"Marshal":        change.Review,
	"Unmarshal":      change.Review,
	"UnmarshalMerge": change.Review,
	"Size":           change.Safe,
	"Merge":          change.Safe,
	"Equal":          change.Safe,
	"Clone":          change.Safe,
}

var codecNote = map[string]string{
	"Marshal":        " (a nil message now yields (nil, nil) instead of ErrNil; missing required fields give an opaque error instead of *RequiredNotSetError)",
	"Unmarshal":      " (errors are opaque, no *RequiredNotSetError; nesting deeper than protowire.DefaultRecursionLimit is rejected)",
	"UnmarshalMerge": " (errors are opaque, no *RequiredNotSetError)",
	"Equal":          " (as in golang/protobuf >= v1.4: NaN equals NaN, nil and empty bytes are equal)",
}

const discardUnknownHelper = `// discardUnknown drops unknown fields from m and every message it holds,
// as golang/protobuf's proto.DiscardUnknown did.
func discardUnknown(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i, l := 0, v.List(); i < l.Len(); i++ {
				discardUnknown(l.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, v protoreflect.Value) bool {
				discardUnknown(v.Message())
				return true
			})
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			discardUnknown(v.Message())
		}
		return true
	})
	if m.GetUnknown() != nil {
		m.SetUnknown(nil)
	}
}

// call site: discardUnknown(protoadapt.MessageV2Of(m).ProtoReflect())`

func runProtoCodec(p *rule.Pass) {
	// Clone calls whose result is used as a v2 message as it is.
	v2ctx := map[*dst.CallExpr]bool{}
	// Calls built here reuse the original callee identifier; they must not
	// match again.
	done := map[*dst.CallExpr]bool{}
	isClone := func(e dst.Expr) *dst.CallExpr {
		c, ok := unparen(e).(*dst.CallExpr)
		if ok && v1ProtoFunc(p.Callee(c)) == "Clone" {
			return c
		}
		return nil
	}
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil), (*dst.TypeAssertExpr)(nil), (*dst.CallExpr)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.Ident:
			if name, _ := v1ProtoRef(p, n); name == "DiscardUnknown" {
				p.Report(n, change.Manual, "proto.DiscardUnknown has no APIv2 function: parse with proto.UnmarshalOptions{DiscardUnknown: true} instead, or walk the message with a helper (suggested)", discardUnknownHelper)
			}
		case *dst.TypeAssertExpr:
			if c := isClone(n.X); c != nil && n.Type != nil && rule.ImplementsV2(p.TypeOf(n.Type)) {
				v2ctx[c] = true
			}
		case *dst.CallExpr:
			name := v1ProtoFunc(p.Callee(n))
			msgArgs, ok := codecMsgArgs[name]
			if !ok || done[n] {
				return true
			}
			id, ok := unparen(n.Fun).(*dst.Ident)
			if !ok || len(n.Args) != len(msgArgs) || n.Ellipsis {
				p.Report(n, change.Manual, "not rewritten: unexpected shape of a proto."+name+" call", "")
				return true
			}
			risk := codecRisk[name]
			p.Changed(n, risk, "proto."+name+" → google.golang.org/protobuf/proto"+codecNote[name])
			for i, isMsg := range msgArgs {
				if !isMsg {
					continue
				}
				if c := isClone(n.Args[i]); c != nil && name != "Clone" {
					v2ctx[c] = true // already a v2 message once rewritten
					continue
				}
				n.Args[i] = v2Arg(p, n.Args[i])
			}
			switch name {
			case "UnmarshalMerge":
				opts := &dst.CompositeLit{
					Type: rule.QualifiedIdent(v2Proto, "UnmarshalOptions"),
					Elts: []dst.Expr{&dst.KeyValueExpr{Key: dst.NewIdent("Merge"), Value: dst.NewIdent("true")}},
				}
				n.Fun = rule.Sel(opts, "Unmarshal")
				carryProtoAlias(p)
				p.Require(protobufModule, minProtobuf)
			case "Clone":
				toV2Proto(p, id)
				if !v2ctx[n] {
					// Mutating the call node in place keeps its place and
					// comments in the enclosing expression.
					inner := rule.Call(n.Fun, n.Args...)
					done[inner] = true
					n.Fun = rule.QualifiedIdent(v2Protoadapt, "MessageV1Of")
					n.Args = []dst.Expr{inner}
				}
			default:
				toV2Proto(p, id)
			}
		}
		return true
	})
	funcValues(p, func(name string) bool { _, ok := codecMsgArgs[name]; return ok },
		"its APIv2 replacement takes v2 messages; wrap it in a func literal that calls the function")
}
