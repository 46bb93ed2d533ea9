package protov1

import (
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoMessage moves the message interface and the conversion helpers of
// github.com/golang/protobuf/proto (spec A.1 rows Message, MessageV1,
// MessageV2, MessageReflect, GeneratedMessage/GeneratedEnum, MessageName;
// hazards H1/H2):
//
//	proto.Message (the type)  →  protoadapt.MessageV1
//	proto.MessageV1(x)        →  protoadapt.MessageV1Of(x), or protoadapt.MessageV1(x) for v1-only x
//	proto.MessageV2(x)        →  x, proto.Message(x) (v2), or protoadapt.MessageV2Of(x) for v1-only x
//	proto.MessageReflect(m)   →  m.ProtoReflect(), or protoadapt.MessageV2Of(m).ProtoReflect()
//	proto.MessageName(m)      →  string(proto.MessageName(m)) (v2; legacy m wrapped)
//	proto.GeneratedMessage, proto.GeneratedEnum  →  any
//
// protoadapt.MessageV1 is the very type v1's Message aliases, so the type
// rewrite is safe and keeps every m.String()/m.Reset() compiling. Where a
// person would choose APIv2's proto.Message instead, the rule does: a
// parameter of an unexported function whose every use is already an
// APIv2 call (the argument of the protoadapt.MessageV2Of an earlier rule
// wrapped it in) and whose every caller in the package passes an APIv2
// message becomes proto.Message of APIv2, and the wrappers go
// (proto_message_params.go). Everything else keeps the v1 alias, on
// purpose: a value used with v1 methods (m.Reset(), m.String()) needs
// them; an exported function's parameter is its importers' API, and they
// may pass values typed as the v1 interface, so it changes when the last
// v1 caller is gone, as a deliberate step (H1); a method's parameter may
// implement an interface; results, fields and variables flow into code
// the rule does not see. MessageV1 and
// MessageV2 accept interface{} in v1 but the protoadapt functions need a
// static message type: arguments typed as neither are reported.
// MessageReflect on a value of interface type is reported, because v1
// returned nil for a nil interface where m.ProtoReflect() panics.
// MessageName is reported where the type has an XXX_MessageName method,
// which v1 honoured and v2 ignores; for a value typed as a v1 interface,
// whose dynamic type may have one, the rewrite is marked "review" (a
// name in a message or log line, not a type URL; handwritten.go). GeneratedMessage/GeneratedEnum were
// named empty interfaces: `any` accepts the same values, but func types
// mentioning them change identity, hence risk "review" for those. An
// embedded field of one of these types (`struct{ proto.Message }`) is
// named after the type, so renaming the type would rename the field and
// break every x.Message selector: it is kept and reported, unless the
// struct type is written inside a function body and nothing in the
// package selects the field by name (a test's `&struct{ proto.Message
// }{}` stub, proto_message_embedded.go): then the field becomes
// MessageV1, announced because reflection (fmt's %+v) sees the name.
var ProtoMessage = &rule.Rule{
	Name:    "protov1.proto.message",
	Doc:     "proto.Message → protoadapt.MessageV1; MessageV1/MessageV2/MessageReflect/MessageName → protoadapt and APIv2",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoMessage,
}

var messageFuncs = map[string]bool{"MessageV1": true, "MessageV2": true, "MessageReflect": true, "MessageName": true}

func runProtoMessage(p *rule.Pass) {
	ifaceArg := interfaceArgs(p)
	embedded := p.EmbeddedTypes()
	v2ps := v2Params(p)
	v2Types := v2ParamTypes(p, v2ps)
	dstutil.Apply(p.File, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.Ident:
			name, o := v1ProtoRef(p, n)
			if _, isType := o.(*types.TypeName); !isType {
				return true
			}
			if v2Types[n] {
				p.Changed(n, change.Review, "parameter proto.Message → APIv2 proto.Message: every use of it is an APIv2 call and every caller passes an APIv2 message, so the protoadapt.MessageV2Of wrappers go")
				toV2Proto(p, n)
				return true
			}
			to := map[string]string{"Message": "protoadapt.MessageV1", "GeneratedMessage": "any", "GeneratedEnum": "any"}[name]
			if to != "" && embedded[n] {
				if name != "Message" || !localUnselectedEmbedded(p, n) {
					reportEmbedded(p, n, "proto."+name, to)
					return true
				}
				p.Changed(n, change.Review, "embedded proto.Message → protoadapt.MessageV1 (the same interface type): the field's name changes from Message to MessageV1; the struct type is local to its function and nothing selects the field by name, but reflection sees the new name (fmt's %+v, encoding/json)")
				n.Path, n.Name = v2Protoadapt, "MessageV1"
				p.Require(protobufModule, minProtobuf)
				return true
			}
			switch name {
			case "Message":
				p.Changed(n, change.Safe, "proto.Message → protoadapt.MessageV1 (the same interface type)")
				n.Path, n.Name = v2Protoadapt, "MessageV1"
				p.Require(protobufModule, minProtobuf)
			case "GeneratedMessage", "GeneratedEnum":
				p.Changed(n, change.Review, "proto."+name+" → any (the same values; a func type mentioning it changes identity)")
				n.Path, n.Name = "", "any"
			}
		case *dst.CallExpr:
			if isMessageV2Of(n) || len(n.Args) == 1 && v1ProtoFunc(p.Callee(n)) == "MessageV2" {
				if id, ok := n.Args[0].(*dst.Ident); ok && v2ps[p.ObjectOf(id)] {
					rule.MoveDecs(n, id)
					c.Replace(id)
					return true
				}
			}
			f := p.Callee(n)
			name := v1ProtoFunc(f)
			if !messageFuncs[name] || len(n.Args) != 1 || n.Ellipsis {
				return true
			}
			if id, ok := n.Args[0].(*dst.Ident); ok && name == "MessageName" && v2ps[p.ObjectOf(id)] {
				// The parameter becomes APIv2's proto.Message (below).
				p.Changed(n, change.Safe, "proto.MessageName(m) → string(proto.MessageName(m)) (m is an APIv2 message after the run)")
				carryProtoAlias(p)
				repl := rule.Call(dst.NewIdent("string"), rule.Call(rule.QualifiedIdent(v2Proto, "MessageName"), id))
				rule.MoveDecs(n, repl)
				c.Replace(repl)
				p.Require(protobufModule, minProtobuf)
				return true
			}
			if repl := messageCall(p, n, name, f, ifaceArg[n]); repl != nil {
				rule.MoveDecs(n, repl)
				c.Replace(repl)
				p.Require(protobufModule, minProtobuf)
			}
		}
		return true
	}, nil)
	funcValues(p, func(name string) bool { return messageFuncs[name] },
		"its APIv2 replacement has a different signature; wrap it in a func literal")
}

// messageCall returns the replacement of one call of a message helper,
// or nil after reporting why there is none.
func messageCall(p *rule.Pass, call *dst.CallExpr, name string, f *types.Func, asIfaceArg bool) dst.Expr {
	arg := call.Args[0]
	t := p.TypeOf(arg)
	v1Iface := v1MessageInterface(f)
	isV2 := v2AfterRun(p, t)
	isV1 := t != nil && v1Iface != nil && types.Implements(t, v1Iface)
	adapt := func(fn string, x dst.Expr) dst.Expr { return rule.Call(rule.QualifiedIdent(v2Protoadapt, fn), x) }
	switch name {
	case "MessageV1":
		switch {
		case isV2:
			p.Changed(call, change.Safe, "proto.MessageV1 → protoadapt.MessageV1Of")
			return adapt("MessageV1Of", arg)
		case isV1:
			p.Changed(call, change.Safe, "proto.MessageV1 of a v1-only message → conversion to protoadapt.MessageV1")
			return rule.Call(rule.QualifiedIdent(v2Protoadapt, "MessageV1"), arg)
		}
		p.Report(call, change.Manual, "not rewritten: the argument's static type is not a message; protoadapt.MessageV1Of needs a v2 message", "protoadapt.MessageV1Of(x.(protoadapt.MessageV2))")
	case "MessageV2":
		res := f.Type().(*types.Signature).Results().At(0).Type()
		switch {
		case isV2 && (types.Identical(t, res) || asIfaceArg):
			p.Changed(call, change.Safe, "proto.MessageV2 dropped: the value already is a v2 message")
			return arg
		case isV2:
			p.Changed(call, change.Safe, "proto.MessageV2 of a v2 message → conversion to proto.Message")
			carryProtoAlias(p)
			return rule.Call(rule.QualifiedIdent(v2Proto, "Message"), arg)
		case isV1:
			p.Changed(call, change.Safe, "proto.MessageV2 → protoadapt.MessageV2Of")
			return adapt("MessageV2Of", arg)
		}
		p.Report(call, change.Manual, "not rewritten: the argument's static type is not a message; protoadapt.MessageV2Of needs a v1 message", "protoadapt.MessageV2Of(x.(protoadapt.MessageV1))")
	case "MessageReflect":
		if t == nil || types.IsInterface(t) {
			p.Report(call, change.Manual, "not rewritten: MessageReflect returned nil for a nil message, but calling ProtoReflect on a nil interface panics; guard it", "var r protoreflect.Message\nif m != nil {\n\tr = protoadapt.MessageV2Of(m).ProtoReflect()\n}")
			return nil
		}
		p.Changed(call, change.Safe, "proto.MessageReflect(m) → m.ProtoReflect()")
		if isV2 {
			return rule.Call(rule.Sel(arg, "ProtoReflect"))
		}
		return rule.Call(rule.Sel(adapt("MessageV2Of", arg), "ProtoReflect"))
	case "MessageName":
		if t != nil && hasMethod(t, "XXX_MessageName") {
			p.Report(call, change.Manual, "not rewritten: the type has an XXX_MessageName method, which v1's MessageName honoured and APIv2 ignores (it uses the descriptor's full name)", "")
			return nil
		}
		// Without an XXX_MessageName method v1's MessageName (v1.4+) asked
		// the same descriptor APIv2 does, also for a hand-written type
		// (handwritten.go); only an interface's dynamic type may have one.
		risk, note := change.Safe, ""
		if types.IsInterface(t) {
			risk, note = change.Review, " (v1 honoured an XXX_MessageName method of the dynamic type; APIv2 uses the descriptor)"
		}
		p.Changed(call, risk, "proto.MessageName(m) → string(proto.MessageName(m))"+note)
		carryProtoAlias(p)
		return rule.Call(dst.NewIdent("string"), rule.Call(rule.QualifiedIdent(v2Proto, "MessageName"), v2Arg(p, arg)))
	}
	return nil
}

// v1MessageInterface returns the v1 message interface from the signature
// of a v1 proto function (the result of MessageV1, the parameter of
// MessageReflect/MessageName), found through the package's scope.
func v1MessageInterface(f *types.Func) *types.Interface {
	o := f.Pkg().Scope().Lookup("Message")
	if o == nil {
		return nil
	}
	i, _ := o.Type().Underlying().(*types.Interface)
	return i
}

// hasMethod reports whether values of type t (or *t) have method name.
func hasMethod(t types.Type, name string) bool {
	if _, isPtr := t.(*types.Pointer); !isPtr && !types.IsInterface(t) {
		t = types.NewPointer(t)
	}
	return types.NewMethodSet(t).Lookup(nil, name) != nil
}
