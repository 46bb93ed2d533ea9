package protov1

import (
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoDeepEqual rewrites reflect.DeepEqual on two generated messages of
// one type to proto.Equal (spec A.0 H7), and stops test diagnostics from
// copying message values:
//
//	reflect.DeepEqual(a, b)    →  proto.Equal(a, b)      a, b *T
//	reflect.DeepEqual(*a, *b)  →  proto.Equal(a, b)
//	reflect.DeepEqual(x, y)    →  proto.Equal(&x, &y)    x, y T, addressable
//	t.Errorf("got %v", *a)     →  t.Errorf("got %v", a)  testing.TB's print methods
//
// where T is a generated message type (rules/protov1/handwritten.go's
// classification: APIv2 now, a golang/protobuf well-known, descriptor or
// plugin type, or v1 code of any protoc-gen-go version, which the run
// regenerates). A v1-only T is wrapped in protoadapt.MessageV2Of, as the
// codec rule wraps proto.Equal's arguments.
//
// Why: after the run T is an APIv2 message, whose struct holds
// protoimpl.MessageState (a lazily set pointer to its message info, and a
// lock) and a size cache. reflect.DeepEqual compares them: two equal
// messages differ as soon as one of them was marshaled or reflected on
// (a test then fails with "got {{{} [] [] 0xc000…} …}, want {{{} [] []
// <nil>} …}"), and go vet's copylocks check flags every message passed by
// value (`reflect.DeepEqual(*a, *b)`, `t.Errorf("%v", *a)`). The
// verification gate cannot withdraw that: the lock comes with
// golang/protobuf >= v1.4, which aliases its plugin, descriptor and
// well-known types to APIv2's, so the copy itself has to go.
//
// Semantics (TestDeepEqualImpliesProtoEqual, proto_deepequal_behaviour_test.go,
// checks them against the real libraries, on the v1.3 struct shape and on
// its APIv2 descriptor): whenever reflect.DeepEqual held on two v1
// generated messages, proto.Equal holds too, so an assertion of equality
// that passed keeps passing. proto.Equal is coarser: it also holds where
// DeepEqual did not for
//
//   - nil and empty repeated fields, maps and bytes ([]int32(nil) vs
//     []int32{}), which protobuf does not distinguish;
//   - NaN in a float field (proto.Equal treats NaN as equal to NaN since
//     golang/protobuf v1.4; DeepEqual only for the same pointer);
//   - the v1 bookkeeping fields XXX_sizecache and XXX_NoUnkeyedLiteral,
//     and unknown fields stored in a different order of the same records
//     (compared as parsed fields);
//
// and it still tells a nil message field from an empty one (presence), a
// nil *T from &T{}. So a test asserting inequality (`if
// reflect.DeepEqual(a, b) { t.Error(…) }`) can pass where it failed
// before only in those cases: risk "review".
//
// The print rewrite passes the pointer instead of the struct: %v prints
// the message's text format (its String method) instead of a Go struct
// dump, in a failing test's message only.
//
// Operands typed as interfaces whose dynamic values can be messages (a
// message interface anywhere; interface{} in a _test.go file that uses
// generated messages, as table-driven tests holding `data interface{}`
// do) go through a helper written once per package:
//
//	reflect.DeepEqual(got, want)  →  protoDeepEqual(got, want)
//
// which answers with proto.Equal when both values are APIv2 messages of
// one type (the generated messages after the run) and with
// reflect.DeepEqual otherwise: a hand-written v1 message (no
// ProtoReflect method), a v1 struct that keeps no internal state, any
// value that is not a message. So it differs from DeepEqual only where
// DeepEqual compared APIv2 internal state.
//
// Not rewritten, with the reason: operands of different types (DeepEqual
// is false there, whatever the values); a hand-written v1 message (a
// type that implements the v1 interface itself: proto.Equal sees it
// through a descriptor derived from its Go type, without fields, so it
// would always answer true; DeepEqual keeps working on it, nothing to
// do); a value that is not addressable (a call's result); and
// composites that hold messages (slices, maps, arrays, structs): compare
// them element by element with proto.Equal, or with go-cmp's
// cmp.Diff(a, b, protocmp.Transform()).
var ProtoDeepEqual = &rule.Rule{
	Name:    "protov1.proto.deepequal",
	Doc:     "reflect.DeepEqual on two generated messages of one type → proto.Equal, on interface{} values that may be messages → a protoDeepEqual helper; messages dereferenced for testing.TB's print methods → the pointer",
	Risk:    change.Review,
	Imports: []string{"reflect", "testing"},
	Run:     runProtoDeepEqual,
}

// tbPrint are the methods of testing.T, B, F and TB that print their
// arguments.
var tbPrint = map[string]bool{"Error": true, "Errorf": true, "Fatal": true, "Fatalf": true, "Log": true, "Logf": true, "Skip": true, "Skipf": true}

func runProtoDeepEqual(p *rule.Pass) {
	dst.Inspect(p.File, func(n dst.Node) bool {
		call, ok := n.(*dst.CallExpr)
		if !ok {
			return true
		}
		f := p.Callee(call)
		switch {
		case rule.IsPkgFunc(f, "reflect", "DeepEqual") && len(call.Args) == 2 && !call.Ellipsis:
			rewriteDeepEqual(p, call)
		case f != nil && f.Pkg() != nil && f.Pkg().Path() == "testing" && tbPrint[f.Name()]:
			for i, a := range call.Args {
				star, ok := a.(*dst.StarExpr)
				if !ok || !generatedMessage(p, p.TypeOf(star.X)) {
					continue
				}
				p.Changed(star, change.Safe, "message passed by value to "+f.Name()+" → its pointer (APIv2 messages must not be copied; %v now prints the text format)")
				x := star.X
				x.Decorations().Start.Prepend(star.Decs.Start...)
				x.Decorations().End.Append(star.Decs.End...)
				call.Args[i] = x
			}
		}
		return true
	})
}

// rewriteDeepEqual rewrites or reports one reflect.DeepEqual call.
func rewriteDeepEqual(p *rule.Pass, call *dst.CallExpr) {
	var ptrs [2]dst.Expr
	var orig [2]types.Type
	involved, why := false, ""
	for i, a := range call.Args {
		orig[i] = p.TypeOf(a)
		ptr, msg, reason := messagePointer(p, a, orig[i])
		involved = involved || msg
		if reason != "" && why == "" {
			why = reason
		}
		ptrs[i] = ptr
	}
	if why == "" && involved && (orig[0] == nil || orig[1] == nil || !types.Identical(orig[0], orig[1])) {
		if interfaceOperands(p, orig) {
			// interface{} and *T: the interface may hold a *T.
			why = viaHelper
		} else {
			why = "the operands have different types, so reflect.DeepEqual is always false here"
		}
	}
	if why == "" && !involved && interfaceOperands(p, orig) && isTestFile(p) && fileUsesMessages(p) {
		involved, why = true, viaHelper
	}
	if !involved {
		return
	}
	if why == viaHelper {
		if name := p.Helper(deepEqualHelper); name != "" {
			p.Changed(call, change.Review, "reflect.DeepEqual on interface values → "+name+" (proto.Equal when both are APIv2 messages of one type, reflect.DeepEqual otherwise)")
			call.Fun = dst.NewIdent(name)
			return
		}
		why = "the operands are typed as interfaces, so their dynamic values may be messages; compare them with proto.Equal where both are"
	}
	if why != "" {
		p.Report(call, change.Manual, "reflect.DeepEqual on messages compares APIv2 internal state (message info, size cache, lock) and copies message values; not rewritten: "+why, "proto.Equal(a, b)")
		return
	}
	p.Changed(call, change.Review, "reflect.DeepEqual → proto.Equal (compares contents, not APIv2 internal state; it also holds where DeepEqual did not for nil vs empty repeated fields, maps and bytes, NaN, and v1's XXX_sizecache)")
	call.Fun = rule.QualifiedIdent(v2Proto, "Equal")
	carryProtoAlias(p)
	p.Require(protobufModule, minProtobuf)
	for i := range ptrs {
		call.Args[i] = v2Arg(p, ptrs[i])
	}
}

// messagePointer returns, for an operand a of static type t, a pointer to
// the generated message it is or holds (a itself, the x of *x, or &a) and
// msg true; msg false when a has nothing to do with messages; a reason
// when it involves messages but cannot be rewritten.
func messagePointer(p *rule.Pass, a dst.Expr, t types.Type) (ptr dst.Expr, msg bool, why string) {
	if t == nil {
		return nil, false, ""
	}
	if pt, ok := t.(*types.Pointer); ok && isMessageStruct(pt.Elem()) {
		if generatedMessage(p, pt) {
			return a, true, ""
		}
		return nil, containsMessage(p, pt.Elem(), map[types.Type]bool{}), "a field of the hand-written message " + typeString(pt.Elem()) + " holds a generated message; compare the fields with proto.Equal"
	}
	if isMessageStruct(t) {
		pt := types.NewPointer(t)
		if !generatedMessage(p, pt) {
			return nil, containsMessage(p, t, map[types.Type]bool{}), "a field of the hand-written message " + typeString(t) + " holds a generated message; compare the fields with proto.Equal"
		}
		if star, ok := unparen(a).(*dst.StarExpr); ok {
			return star.X, true, ""
		}
		if !addressable(p, a) {
			return nil, true, "the operand is a " + typeString(t) + " value that is not addressable; assign it to a variable and compare pointers with proto.Equal"
		}
		u := &dst.UnaryExpr{Op: token.AND, X: a}
		p.SetType(u, pt)
		return u, true, ""
	}
	if types.IsInterface(t) {
		if isMessageRef(t) {
			return nil, true, viaHelper
		}
		return nil, false, ""
	}
	if containsMessage(p, t, map[types.Type]bool{}) {
		return nil, true, "the operands are " + typeString(t) + " values that hold messages; compare the messages one by one with proto.Equal, or use cmp.Diff(a, b, protocmp.Transform()) (github.com/google/go-cmp, google.golang.org/protobuf/testing/protocmp)"
	}
	return nil, false, ""
}

// generatedMessage reports whether t is a pointer to a concrete message
// type generated by protoc-gen-go (any version): an APIv2 message after
// the run.
func generatedMessage(p *rule.Pass, t types.Type) bool {
	pt, ok := t.(*types.Pointer)
	if !ok || !isMessageStruct(pt.Elem()) {
		return false
	}
	k := classifyMessage(p, t)
	return k == kindV2 || k == kindGeneratedV1
}

// containsMessage reports whether a value of type t holds a generated
// message (by value or pointer) in an element, key, or struct field.
func containsMessage(p *rule.Pass, t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if generatedMessage(p, t) || (isMessageStruct(t) && generatedMessage(p, types.NewPointer(t))) {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return containsMessage(p, u.Elem(), seen)
	case *types.Slice:
		return containsMessage(p, u.Elem(), seen)
	case *types.Array:
		return containsMessage(p, u.Elem(), seen)
	case *types.Map:
		return containsMessage(p, u.Key(), seen) || containsMessage(p, u.Elem(), seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if containsMessage(p, u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// addressable reports whether &e is legal Go: a variable, a field of an
// addressable struct or of a pointer, an element of a slice or of an
// addressable array, a pointer indirection, or a composite literal.
func addressable(p *rule.Pass, e dst.Expr) bool {
	switch e := unparen(e).(type) {
	case *dst.Ident:
		_, ok := p.ObjectOf(e).(*types.Var)
		return ok
	case *dst.SelectorExpr:
		if _, ok := p.ObjectOf(e.Sel).(*types.Var); !ok {
			return false
		}
		if _, ok := p.TypeOf(e.X).(*types.Pointer); ok {
			return true
		}
		return addressable(p, e.X)
	case *dst.IndexExpr:
		switch u := p.TypeOf(e.X).(type) {
		case nil:
			return false
		case *types.Pointer:
			return true
		default:
			switch u.Underlying().(type) {
			case *types.Slice:
				return true
			case *types.Array:
				return addressable(p, e.X)
			}
		}
	case *dst.StarExpr, *dst.CompositeLit:
		return true
	}
	return false
}

// viaHelper is messagePointer's answer for an operand typed as a message
// interface: rewritten through deepEqualHelper.
const viaHelper = "through the helper"

// deepEqualHelper is the helper for operands typed as interfaces.
var deepEqualHelper = &rule.Helper{
	Name:     "protoDeepEqual",
	Decl:     deepEqualHelperDecl,
	Imports:  []string{"reflect", v2Proto, v2Protoreflect},
	Requires: map[string]string{protobufModule: minProtobuf},
}

const deepEqualHelperDecl = `// protoDeepEqual is reflect.DeepEqual, except that two APIv2 messages of
// one type are compared with proto.Equal: their structs hold internal
// state (protoimpl.MessageState, a size cache) that DeepEqual would
// compare. (Written by protolift for reflect.DeepEqual calls on values
// that may be messages.)
func protoDeepEqual(x, y interface{}) bool {
	mx, okx := x.(protoreflect.ProtoMessage)
	my, oky := y.(protoreflect.ProtoMessage)
	if okx && oky && reflect.TypeOf(x) == reflect.TypeOf(y) {
		return proto.Equal(mx, my)
	}
	return reflect.DeepEqual(x, y)
}`

// interfaceOperands reports whether both operand types are known, at
// least one is interface{} (or any), and no other is an interface (an
// error, a fmt.Stringer: not where tests keep messages).
func interfaceOperands(p *rule.Pass, ts [2]types.Type) bool {
	if ts[0] == nil || ts[1] == nil {
		return false
	}
	empty := false
	for _, t := range ts {
		if types.IsInterface(t) {
			if !isEmptyInterface(t) {
				return false
			}
			empty = true
		}
	}
	return empty
}

// isTestFile reports whether the pass's file is a _test.go file.
func isTestFile(p *rule.Pass) bool { return strings.HasSuffix(p.Path, "_test.go") }

// fileUsesMessages reports whether an expression of the file has a
// generated message type (or a pointer to one).
func fileUsesMessages(p *rule.Pass) bool {
	found := false
	dst.Inspect(p.File, func(n dst.Node) bool {
		if found {
			return false
		}
		if e, ok := n.(dst.Expr); ok {
			if t := p.TypeOf(e); t != nil && (generatedMessage(p, t) || (isMessageStruct(t) && generatedMessage(p, types.NewPointer(t)))) {
				found = true
			}
		}
		return true
	})
	return found
}
