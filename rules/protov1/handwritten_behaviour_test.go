package protov1_test

//lint:file-ignore SA1019 these tests run the deprecated APIv1 calls next to what the rules rewrite them to, to prove both behave alike.

import (
	"strings"
	"testing"

	protov1 "github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/anypb"
)

// These tests establish, against the real libraries, what APIv2 does with
// a hand-written v1 message handed over through protoadapt.MessageV2Of:
// the facts behind which rewrites of the protov1 rules keep such values
// (binary encoding) and which refuse them (Any, names, JSON; see
// handwritten.go).

// dynMsg is a hand-written v1 message in the style of a reflection
// library's dynamic message: one Go type for every message type, the
// message name held by the instance, its own binary encoding.
type dynMsg struct {
	name    string
	payload string
}

var marshalCalls, unmarshalCalls int

func (m *dynMsg) Reset()                  { m.payload = "" }
func (m *dynMsg) String() string          { return m.payload }
func (*dynMsg) ProtoMessage()             {}
func (m *dynMsg) XXX_MessageName() string { return m.name }

func (m *dynMsg) Marshal() ([]byte, error) {
	marshalCalls++
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendString(b, m.payload), nil
}

func (m *dynMsg) Unmarshal(b []byte) error {
	unmarshalCalls++
	_, _, n := protowire.ConsumeTag(b)
	s, _ := protowire.ConsumeString(b[n:])
	m.payload = s
	return nil
}

// constName is hand-written too, but its name does not depend on the
// instance (the method does not read its receiver).
type constName struct{ dynMsg }

func (*constName) XXX_MessageName() string { return "example.Const" }

func TestHandWrittenBinaryCallsOwnMethods(t *testing.T) {
	m := &dynMsg{name: "example.Person", payload: "ada"}
	want, _ := m.Marshal()

	marshalCalls = 0
	got, err := proto.Marshal(protoadapt.MessageV2Of(m))
	if err != nil || string(got) != string(want) || marshalCalls != 1 {
		t.Fatalf("proto.Marshal(MessageV2Of(m)) = %q, %v after %d Marshal calls; want the type's own encoding %q from one call", got, err, marshalCalls, want)
	}
	v1, err := protov1.Marshal(m)
	if err != nil || string(v1) != string(got) {
		t.Fatalf("v1 proto.Marshal = %q, %v; v2 through protoadapt = %q", v1, err, got)
	}
	if n := proto.Size(protoadapt.MessageV2Of(m)); n != len(want) {
		t.Fatalf("proto.Size = %d, want %d (through the type's Marshal)", n, len(want))
	}

	back := &dynMsg{}
	unmarshalCalls = 0
	if err := proto.Unmarshal(got, protoadapt.MessageV2Of(back)); err != nil || back.payload != "ada" || unmarshalCalls != 1 {
		t.Fatalf("proto.Unmarshal(b, MessageV2Of(m)) = %v, payload %q after %d Unmarshal calls; want the type's own decoding", err, back.payload, unmarshalCalls)
	}

	c, ok := protoadapt.MessageV1Of(proto.Clone(protoadapt.MessageV2Of(m))).(*dynMsg)
	if !ok || c.payload != "ada" {
		t.Fatalf("proto.Clone through protoadapt = %#v; want a copy made with the type's Marshal/Unmarshal", c)
	}
}

// TestHandWrittenEqualIsContentBlind: APIv2's Equal compares the fields of
// the descriptor protoimpl derives from the Go struct, and a hand-written
// type has none: two different messages are "equal". golang/protobuf
// v1.4+ answers the same (its Equal is APIv2's), so proto.Equal keeps its
// answer under the rewrite; a hand-written type needs its own comparison
// either way.
func TestHandWrittenEqualIsContentBlind(t *testing.T) {
	a, b := &dynMsg{payload: "a"}, &dynMsg{payload: "b"}
	v2 := proto.Equal(protoadapt.MessageV2Of(a), protoadapt.MessageV2Of(b))
	v1 := protov1.Equal(a, b)
	if !v2 || v1 != v2 {
		t.Fatalf("Equal of different hand-written messages: v2 %v, v1 %v; want both true", v2, v1)
	}
}

// TestHandWrittenAnyName: v1 took the type URL and the name checks of the
// Any helpers from the instance's XXX_MessageName; APIv2 takes them from
// the descriptor protoimpl derives once per Go type, calling
// XXX_MessageName on the type's nil pointer. A name held by the instance
// is lost (the URL names the Go type); only a constant one survives.
func TestHandWrittenAnyName(t *testing.T) {
	m := &dynMsg{name: "example.Person", payload: "ada"}
	v1Any, err := ptypes.MarshalAny(m)
	if err != nil || v1Any.TypeUrl != "type.googleapis.com/example.Person" {
		t.Fatalf("v1 ptypes.MarshalAny: %v, %v", v1Any, err)
	}
	v2Any, err := anypb.New(protoadapt.MessageV2Of(m))
	if err != nil {
		t.Fatal(err)
	}
	if v2Any.TypeUrl == v1Any.TypeUrl || !strings.Contains(v2Any.TypeUrl, "dynMsg") {
		t.Fatalf("anypb.New(MessageV2Of(m)).TypeUrl = %q; expected the Go type's derived name, not v1's %q", v2Any.TypeUrl, v1Any.TypeUrl)
	}
	t.Logf("v1 type URL %q, APIv2 through protoadapt %q", v1Any.TypeUrl, v2Any.TypeUrl)
	if got := string(proto.MessageName(protoadapt.MessageV2Of(m))); got == "example.Person" {
		t.Fatalf("v2 proto.MessageName = %q; expected it to ignore the instance's name", got)
	}
	if got := protov1.MessageName(m); got != "example.Person" {
		t.Fatalf("v1 proto.MessageName = %q", got)
	}

	// Decoding v1's Any: v1 checks the instance's name, v2 the derived one.
	if err := ptypes.UnmarshalAny(v1Any, &dynMsg{name: "example.Person"}); err != nil {
		t.Fatalf("v1 ptypes.UnmarshalAny: %v", err)
	}
	if err := v1Any.UnmarshalTo(protoadapt.MessageV2Of(&dynMsg{name: "example.Person"})); err == nil {
		t.Fatal("(*anypb.Any).UnmarshalTo(MessageV2Of(m)) accepted v1's Any; expected a mismatched message type error")
	}
	if !ptypes.Is(v1Any, &dynMsg{name: "example.Person"}) || v1Any.MessageIs(protoadapt.MessageV2Of(&dynMsg{name: "example.Person"})) {
		t.Fatal("ptypes.Is and (*anypb.Any).MessageIs were expected to disagree")
	}

	// A constant XXX_MessageName is read from the nil pointer and kept.
	c, err := anypb.New(protoadapt.MessageV2Of(&constName{}))
	if err != nil || c.TypeUrl != "type.googleapis.com/example.Const" {
		t.Fatalf("anypb.New of a constant-named hand-written type: %v, %v", c, err)
	}
}

// TestHandWrittenJSONLosesData: protojson sees the derived descriptor,
// which has no fields: the payload is silently dropped.
func TestHandWrittenJSONLosesData(t *testing.T) {
	b, err := protojson.Marshal(protoadapt.MessageV2Of(&dynMsg{payload: "ada"}))
	if err != nil || strings.TrimSpace(string(b)) != "{}" {
		t.Fatalf("protojson.Marshal(MessageV2Of(m)) = %q, %v; expected {}", b, err)
	}
}
