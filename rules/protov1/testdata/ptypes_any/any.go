package ptypes_any

import (
	"errors"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	anypb "github.com/golang/protobuf/ptypes/any"
	"github.com/golang/protobuf/ptypes/wrappers"
)

func pack(v *wrappers.StringValue) (*anypb.Any, error) {
	// Pack it.
	return ptypes.MarshalAny(v /* value */) // trailing
}

func packLegacy(l *legacy) (*anypb.Any, error) {
	return ptypes.MarshalAny(l)
}

func packOldLegacy(l *oldLegacy) (*anypb.Any, error) {
	return ptypes.MarshalAny(l)
}

func packIface(m proto.Message) (*anypb.Any, error) {
	return ptypes.MarshalAny(m) // want "static type .*is a v1 message interface"
}

func unpack(a *anypb.Any) (*wrappers.StringValue, error) {
	v := new(wrappers.StringValue)
	if err := ptypes.UnmarshalAny(a, v); err != nil {
		return nil, err
	}
	return v, nil
}

func unpackLegacy(a *anypb.Any, l *legacy) error {
	return ptypes.UnmarshalAny(a, l)
}

func is(a *anypb.Any) bool {
	return ptypes.Is(a, (*wrappers.StringValue)(nil)) && !ptypes.Is(a, &legacy{})
}

func name(a *anypb.Any) (string, error) {
	n, err := ptypes.AnyMessageName(a)
	if err != nil {
		return "", err
	}
	return n, nil
}

func nameReturn(a *anypb.Any) (string, error) {
	return ptypes.AnyMessageName(a)
}

func nameAssign(a *anypb.Any) (s string, err error) {
	s, err = ptypes.AnyMessageName(a)
	return
}

func nameOnly(a *anypb.Any) string {
	n, _ := ptypes.AnyMessageName(a)
	return n
}

func nameErrOnly(a *anypb.Any) bool {
	_, err := ptypes.AnyMessageName(a)
	return err == nil
}

func nameInIf(a *anypb.Any) bool {
	if _, err := ptypes.AnyMessageName(a); err != nil { // want "AnyMessageName's error result"
		return false
	}
	return true
}

func empty(a *anypb.Any) (proto.Message, error) {
	m, err := ptypes.Empty(a)
	if err != nil {
		return nil, errors.New("unknown type")
	}
	return m, nil
}

func dynamic(a *anypb.Any) (proto.Message, error) {
	var d ptypes.DynamicAny
	if err := ptypes.UnmarshalAny(a, &d); err != nil {
		return nil, err
	}
	return d.Message, nil
}

func values() {
	f := ptypes.MarshalAny // want "used as a function value"
	_ = f
}

func shadowed() bool {
	ptypes := map[string]bool{}
	return ptypes["Is"]
}

// nameOfCall cannot read its Any twice, so the error does not quote the URL.
func nameOfCall(f func() *anypb.Any) (string, error) {
	n, err := ptypes.AnyMessageName(f())
	return n, err
}

// dyn is a hand-written v1 message whose name is held by the instance:
// APIv2 would name it after its Go type.
type dyn struct{ name string }

func (*dyn) Reset()                    {}
func (d *dyn) String() string          { return d.name }
func (*dyn) ProtoMessage()             {}
func (d *dyn) XXX_MessageName() string { return d.name }

func packDyn(d *dyn) (*anypb.Any, error) {
	return ptypes.MarshalAny(d) // want "dyn is a hand-written v1 message"
}

func unpackDyn(a *anypb.Any, d *dyn) (bool, error) {
	ok := ptypes.Is(a, d)                // want "Is compared the type URL"
	return ok, ptypes.UnmarshalAny(a, d) // want "UnmarshalAny checked the type URL"
}

// v12 has the shape of protoc-gen-go 1.2–1.3 output (an XXX_Unmarshal
// method of its own) in a file without the generated-code header: it is
// generated, and described by its own descriptor.
type v12 struct{}

func (*v12) Reset()                      {}
func (*v12) String() string              { return "" }
func (*v12) ProtoMessage()               {}
func (*v12) Descriptor() ([]byte, []int) { return nil, []int{0} }
func (*v12) XXX_Unmarshal([]byte) error  { return nil }

// v10 has the shape of protoc-gen-go 1.0–1.1 output: Descriptor and
// protobuf-tagged fields.
type v10 struct {
	Name string `protobuf:"bytes,1,opt,name=name" json:"name,omitempty"`
}

func (*v10) Reset()                      {}
func (*v10) String() string              { return "" }
func (*v10) ProtoMessage()               {}
func (*v10) Descriptor() ([]byte, []int) { return nil, []int{0} }

func packOld(a *v12, b *v10) (*anypb.Any, *anypb.Any) {
	x, _ := ptypes.MarshalAny(a)
	y, _ := ptypes.MarshalAny(b)
	return x, y
}

// packCalled's every caller passes a message that is APIv2 after the run,
// and it never reassigns m: m can never hold a hand-written message, so
// MarshalAny is rewritten, and m becomes APIv2's proto.Message.
func packCalled(m proto.Message) (*anypb.Any, error) {
	a, err := ptypes.MarshalAny(m)
	if err != nil {
		return nil, errors.New("packing " + proto.MessageName(m))
	}
	return a, nil
}

func usePackCalled() {
	_, _ = packCalled(&wrappers.StringValue{Value: "x"})
}

// PackExported is this package's API: importers in other modules may pass
// any v1 message, hand-written ones too.
func PackExported(m proto.Message) (*anypb.Any, error) {
	return ptypes.MarshalAny(m) // want "static type .*is a v1 message interface"
}

func usePackExported() {
	_, _ = PackExported(&wrappers.StringValue{Value: "x"})
}

// packReassigned may hold whatever m is set to in its body.
func packReassigned(m proto.Message, other proto.Message) (*anypb.Any, error) {
	if m == nil {
		m = other
	}
	return ptypes.MarshalAny(m) // want "static type .*is a v1 message interface"
}

func usePackReassigned(o proto.Message) {
	_, _ = packReassigned(&wrappers.StringValue{Value: "x"}, o)
}
