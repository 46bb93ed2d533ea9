package proto_extensions

import "github.com/golang/protobuf/proto"

// dynRecord is a hand-written v1 message (a reflection library's dynamic
// message): APIv2 would see it through a descriptor derived from its Go
// type, so no extension call on it is rewritten.
type dynRecord struct{ name string }

func (m *dynRecord) Reset()                   {}
func (m *dynRecord) String() string           { return m.name }
func (*dynRecord) ProtoMessage()              {}
func (m *dynRecord) XXX_MessageName() string  { return m.name }
func (m *dynRecord) Marshal() ([]byte, error) { return nil, nil }
func (m *dynRecord) Unmarshal([]byte) error   { return nil }

func handWritten(d *dynRecord) (bool, error) {
	if err := proto.SetExtension(d, E_RecPriority, proto.Int32(1)); err != nil { // want "SetExtension on this message: .*dynRecord is a hand-written v1 message"
		return false, err
	}
	proto.ClearExtension(d, E_RecNote)             // want "ClearExtension on this message: .*hand-written.*never the message an extension extends"
	return proto.HasExtension(d, E_RecSource), nil // want "HasExtension on this message: .*hand-written"
}

// anyMessage is typed as the v1 interface: its dynamic type may be
// hand-written.
func anyMessage(m proto.Message) (int32, error) {
	if !proto.HasExtension(m, E_RecPriority) { // want "HasExtension on this message: the value's static type .*is a v1 message interface"
		return 0, nil
	}
	v, err := proto.GetExtension(m, E_RecPriority) // want "GetExtension on this message: the value's static type .*is a v1 message interface"
	if err != nil {
		return 0, err
	}
	return *v.(*int32), nil
}

// extractor is protoc-gen-star's shape: its tests hand it a struct
// embedding the v1 interface, a hand-written message, on which APIv2's
// GetExtension panics where v1 returned an error.
type extractor struct{}

func (extractor) get(m proto.Message, xt *proto.ExtensionDesc) (interface{}, error) {
	return proto.GetExtension(m, xt) // want "GetExtension on this message: the value's static type .*is a v1 message interface.*GetExtension, SetExtension and ClearExtension panic .mismatching containing message. where v1 returned an error"
}
