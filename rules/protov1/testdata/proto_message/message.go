package proto_message

import (
	"fmt"

	"github.com/golang/protobuf/proto"
	protoV2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
)

// describe keeps using the v1 method set on the interface.
func describe(m proto.Message /* any message */) string {
	m.Reset()
	return m.String()
}

var registry = map[string]proto.Message{}

func convert(d *durationpb.Duration, l *legacy, v2 protoV2.Message) (proto.Message, proto.Message, protoV2.Message, protoV2.Message, protoV2.Message) {
	a := proto.MessageV1(d)
	b := proto.MessageV1(l)
	c := proto.MessageV2(l)
	e := proto.MessageV2(v2)
	f := proto.MessageV2(d)
	return a, b, c, e, f
}

func sizes(d *durationpb.Duration) int {
	return protoV2.Size(proto.MessageV2(d /* inner */))
}

func reflectOn(d *durationpb.Duration, l *legacy, m proto.Message) (protoreflect.Message, protoreflect.Message, protoreflect.Message) {
	return proto.MessageReflect(d), proto.MessageReflect(l), proto.MessageReflect(m) // want "panics"
}

func names(d *durationpb.Duration, l *legacy, n *named, m proto.Message) []string {
	return []string{
		proto.MessageName(d),
		proto.MessageName(l),
		proto.MessageName(n), // want "XXX_MessageName"
		proto.MessageName(m),
	}
}

// A caller passes a v1-typed value: names' m stays a v1 interface.
func callsNames(m proto.Message) []string { return names(nil, nil, nil, m) }

func untyped(x interface{}) {
	fmt.Println(proto.MessageV2(x)) // want "not a message"
}

func generated(g proto.GeneratedMessage, e proto.GeneratedEnum) {
	fmt.Println(g, e)
}

func value() {
	f := proto.MessageV2 // want "function value"
	_ = f
}

// holder embeds the v1 interface: the field is called Message after its
// type, and renaming the type would rename the field.
type holder struct {
	proto.Message // want "proto.Message is an embedded field"
	n             int
}

func (h holder) inner() proto.Message { return h.Message }

func newHolder(m proto.Message) holder { return holder{Message: m, n: 1} }

type genHolder struct {
	proto.GeneratedMessage // want "proto.GeneratedMessage is an embedded field"
}

// withExtra embeds the interface in an interface, which names no field:
// renamed.
type withExtra interface {
	proto.Message
	Extra()
}

// same only hands its parameters to APIv2 calls, and every caller passes
// an APIv2 message: they become APIv2's proto.Message, unwrapped.
func same(a, b proto.Message) bool {
	return proto.Equal(a, b)
}

func callsSame(x, y *durationpb.Duration) bool { return same(x, y) }

// Exported: importers may pass v1-typed values; the v1 alias stays.
func Same(a, b proto.Message) bool {
	return proto.Equal(a, b)
}

// A caller passes a v1-typed value: the v1 alias stays.
func sameV1(a proto.Message) int {
	return protoV2.Size(proto.MessageV2(a))
}

// size only converts its parameter with proto.MessageV2: it becomes
// APIv2's proto.Message and the conversion goes.
func size(m proto.Message) int {
	return protoV2.Size(proto.MessageV2(m))
}

func callsSize() int { return size(&durationpb.Duration{}) }

func callsSameV1(m proto.Message) int { return sameV1(m) }
