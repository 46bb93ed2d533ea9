package descriptor

import (
	"fmt"

	"github.com/golang/protobuf/descriptor"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// describe only describes m and prints it: m can be any v1 message.
func describe(m descriptor.Message /* described */) (string, string) {
	fd, md := descriptor.ForMessage(m)
	fmt.Println(m.String())
	return fd.GetName(), md.GetName()
}

func local() string {
	var m descriptor.Message = &wrapperspb.StringValue{}
	_, md := descriptor.MessageDescriptorProto(m)
	return md.GetName()
}

func callsDescribe() {
	describe(&wrapperspb.Int32Value{})
	describe(&legacyDesc{})
}

// legacyDesc is a v1.3-style message with the raw Descriptor method.
type legacyDesc struct{}

func (*legacyDesc) Reset()                      {}
func (*legacyDesc) String() string              { return "legacy" }
func (*legacyDesc) ProtoMessage()               {}
func (*legacyDesc) Descriptor() ([]byte, []int) { return nil, nil }

func rawIndex(m descriptor.Message) []int { // want "descriptor.Message relies on the deprecated .*m is used other than"
	fd, _ := descriptor.ForMessage(m)
	_, idx := m.Descriptor()
	_ = fd
	return idx
}

func passedOn(m descriptor.Message) string { // want "descriptor.Message relies on the deprecated .*m is used other than"
	_, md := descriptor.ForMessage(m)
	iface(m)
	return md.GetName()
}

func asValue(m descriptor.Message) string { // want "used as a function value at narrow.go:"
	_, md := descriptor.ForMessage(m)
	return md.GetName()
}

var keep = asValue

type holder struct{}

func (holder) describe(m descriptor.Message) string { // want "a method's parameter"
	_, md := descriptor.ForMessage(m)
	return md.GetName()
}

func result() (m descriptor.Message) { // want "descriptor.Message relies on the deprecated"
	return nil
}
