package proto_deepequal

// legacy is a hand-written APIv1 message.
type legacy struct{ Name string }

func (m *legacy) Reset()         { *m = legacy{} }
func (m *legacy) String() string { return m.Name }
func (*legacy) ProtoMessage()    {}

// v12 has the shape of protoc-gen-go 1.2–1.3 output (an XXX_Unmarshal
// method of its own): a generated v1 message, wrapped for APIv2.
type v12 struct {
	Name string `protobuf:"bytes,1,opt,name=name,proto3"`
}

func (*v12) Reset()                      {}
func (*v12) String() string              { return "" }
func (*v12) ProtoMessage()               {}
func (*v12) Descriptor() ([]byte, []int) { return nil, []int{0} }
func (*v12) XXX_Unmarshal([]byte) error  { return nil }
