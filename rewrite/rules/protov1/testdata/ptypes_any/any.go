package ptypes_any

import (
	"errors"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	anypb "github.com/golang/protobuf/ptypes/any"
	"github.com/golang/protobuf/ptypes/wrappers"
)

// legacy is a hand-written v1-only message.
type legacy struct{}

func (*legacy) Reset()         {}
func (*legacy) String() string { return "legacy" }
func (*legacy) ProtoMessage()  {}

func pack(v *wrappers.StringValue) (*anypb.Any, error) {
	// Pack it.
	return ptypes.MarshalAny(v /* value */) // trailing
}

func packLegacy(l *legacy) (*anypb.Any, error) {
	return ptypes.MarshalAny(l)
}

func packIface(m proto.Message) (*anypb.Any, error) {
	return ptypes.MarshalAny(m)
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
