package ptypes_any

import (
	"errors"
	"fmt"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	anypb "github.com/golang/protobuf/ptypes/any"
)

// describe is the common shape: the name first, then the message as text.
func describe(details []*anypb.Any) []string {
	var out []string
	for _, d := range details {
		name, err := ptypes.AnyMessageName(d)
		if err != nil {
			out = append(out, fmt.Sprintf("<malformed: %v>", err))
			continue
		}
		// Decode whatever it is.
		dyn := &ptypes.DynamicAny{} // empty
		if err := ptypes.UnmarshalAny(d, dyn); err != nil {
			out = append(out, name)
			continue
		}
		out = append(out, name+" "+proto.CompactTextString(dyn.Message /* the message */)) // want "name:<… >"
	}
	return out
}

// valueVar returns the message where the v1 interface is needed.
func valueVar(a *anypb.Any) (proto.Message, error) {
	var dyn ptypes.DynamicAny
	err := ptypes.UnmarshalAny(a, &dyn)
	if err != nil {
		return nil, err
	}
	return dyn.Message, nil
}

// assigned keeps the outer error variable.
func assigned(a *anypb.Any) (err error) {
	m := new(ptypes.DynamicAny)
	err = ptypes.UnmarshalAny(a, m)
	if err == nil {
		fmt.Println(m.Message)
	}
	return err
}

// literal ignores the error, and hands the message to v2 code.
func literal(a *anypb.Any) string {
	dyn := ptypes.DynamicAny{}
	ptypes.UnmarshalAny(a, &dyn)
	return proto.MarshalTextString(dyn.Message) + dyn.Message.String() // want "name: <…>"
}

// errLater mentions err after the if, so the hoisted error gets its own name.
func errLater(a *anypb.Any) error {
	var err error
	dyn := &ptypes.DynamicAny{}
	if err := ptypes.UnmarshalAny(a, dyn); err != nil {
		return fmt.Errorf("decoding: %w", err)
	}
	if dyn.Message == nil {
		err = errors.New("empty")
	}
	return err
}

func use(*ptypes.DynamicAny) {} // want "DynamicAny has no v2 counterpart"

func passedOn(a *anypb.Any) {
	dyn := &ptypes.DynamicAny{}             // want "DynamicAny has no v2 counterpart: dyn is used other than"
	if ptypes.UnmarshalAny(a, dyn) == nil { // want "UnmarshalAny into a DynamicAny"
		use(dyn)
	}
}

func messageWritten(a *anypb.Any) proto.Message {
	dyn := &ptypes.DynamicAny{}                         // want "dyn.Message is written"
	if err := ptypes.UnmarshalAny(a, dyn); err != nil { // want "UnmarshalAny into a DynamicAny"
		dyn.Message = nil
	}
	return dyn.Message
}

func readBefore(a *anypb.Any) proto.Message {
	var dyn ptypes.DynamicAny // want "read before UnmarshalAny fills it"
	m := dyn.Message
	_ = ptypes.UnmarshalAny(a, &dyn) // want "UnmarshalAny into a DynamicAny"
	return m
}

func twice(a, b *anypb.Any) string {
	dyn := &ptypes.DynamicAny{}                         // want "more than one UnmarshalAny call"
	if err := ptypes.UnmarshalAny(a, dyn); err != nil { // want "UnmarshalAny into a DynamicAny"
		return ""
	}
	if err := ptypes.UnmarshalAny(b, dyn); err != nil { // want "UnmarshalAny into a DynamicAny"
		return ""
	}
	return dyn.String()
}

func promoted(a *anypb.Any) string {
	dyn := &ptypes.DynamicAny{}                         // want "dyn is used other than"
	if err := ptypes.UnmarshalAny(a, dyn); err != nil { // want "UnmarshalAny into a DynamicAny"
		return ""
	}
	return dyn.String()
}

func outerScope(a *anypb.Any) string {
	dyn := &ptypes.DynamicAny{} // want "not a statement of the block"
	{
		if err := ptypes.UnmarshalAny(a, dyn); err != nil { // want "UnmarshalAny into a DynamicAny"
			return ""
		}
	}
	return proto.CompactTextString(dyn.Message) // want "is a v1 message interface"
}

// validOnly decodes only to check that it can: nothing reads s afterwards,
// so the decoded message goes to _ and the check stays.
func validOnly(a *anypb.Any) error {
	var s ptypes.DynamicAny
	if err := ptypes.UnmarshalAny(a, &s); err != nil {
		return fmt.Errorf("bad payload: %w", err)
	}
	return nil
}

func validOnlyAssigned(a *anypb.Any) (err error) {
	s := &ptypes.DynamicAny{}
	err = ptypes.UnmarshalAny(a, s)
	return err
}

func validOnlyDefined(a *anypb.Any) bool {
	s := new(ptypes.DynamicAny)
	err := ptypes.UnmarshalAny(a, s)
	return err == nil
}

func validOnlyIgnored(a *anypb.Any) {
	var s ptypes.DynamicAny
	ptypes.UnmarshalAny(a, &s)
}
