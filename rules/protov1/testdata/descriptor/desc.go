package descriptor

import (
	"github.com/golang/protobuf/descriptor"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// legacy is a hand-written v1-only message.
type legacy struct{}

func (*legacy) Reset()         {}
func (*legacy) String() string { return "legacy" }
func (*legacy) ProtoMessage()  {}

func names(m *wrapperspb.StringValue) (string, string) {
	// Both protos.
	fd, md := descriptor.ForMessage(m /* msg */) // trailing
	return fd.GetName(), md.GetName()
}

func fileOnly(m *wrapperspb.StringValue) string {
	fd, _ := descriptor.MessageDescriptorProto(m)
	return fd.GetPackage()
}

func msgOnly(l *legacy) string {
	_, md := descriptor.MessageDescriptorProto(l)
	return md.GetName()
}

func ret(m *wrapperspb.StringValue) (*descriptorpb.FileDescriptorProto, *descriptorpb.DescriptorProto) {
	return descriptor.ForMessage(m)
}

func enum() string {
	var fd *descriptorpb.FileDescriptorProto
	var ed *descriptorpb.EnumDescriptorProto
	fd, ed = descriptor.EnumDescriptorProto(descriptorpb.FieldDescriptorProto_TYPE_INT32)
	return fd.GetName() + ed.GetName()
}

func notAMessage(v interface{}) string {
	_, md := descriptor.MessageDescriptorProto(v) // want "not a protobuf message"
	return md.GetName()
}

func raw(m *wrapperspb.StringValue) []byte {
	b, _ := descriptor.MessageRawDescriptor(m) // want "MessageRawDescriptor has no v2 counterpart"
	return b
}

func iface(m descriptor.Message) { // want "descriptor.Message relies on the deprecated"
	_ = m
}

func asArg(m *wrapperspb.StringValue) {
	use(descriptor.ForMessage(m)) // want "two results are used in a way"
}

func use(*descriptorpb.FileDescriptorProto, *descriptorpb.DescriptorProto) {}

func fnValue() {
	f := descriptor.ForMessage // want "used as a function value"
	_ = f
}

func shadow() int {
	descriptor := []int{1}
	return descriptor[0]
}
