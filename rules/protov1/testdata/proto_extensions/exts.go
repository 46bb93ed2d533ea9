package proto_extensions

import (
	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Extensions declared the way golang/protobuf v1.3 generated them.
var E_Priority = &proto.ExtensionDesc{
	ExtendedType:  (*descriptorpb.FieldOptions)(nil),
	ExtensionType: (*int32)(nil),
	Field:         50001,
	Name:          "example.priority",
	Tag:           "varint,50001,opt,name=priority",
}

var E_Label = &proto.ExtensionDesc{
	ExtendedType:  (*descriptorpb.FieldOptions)(nil),
	ExtensionType: (*string)(nil),
	Field:         50002,
	Name:          "example.label",
	Tag:           "bytes,50002,opt,name=label",
}

var E_Kind = &proto.ExtensionDesc{
	ExtendedType:  (*descriptorpb.FieldOptions)(nil),
	ExtensionType: (*descriptorpb.FieldDescriptorProto_Type)(nil),
	Field:         50003,
	Name:          "example.kind",
	Tag:           "varint,50003,opt,name=kind,enum=google.protobuf.FieldDescriptorProto_Type",
}

var E_Nested = &proto.ExtensionDesc{
	ExtendedType:  (*descriptorpb.FieldOptions)(nil),
	ExtensionType: (*descriptorpb.FileOptions)(nil),
	Field:         50004,
	Name:          "example.nested",
	Tag:           "bytes,50004,opt,name=nested",
}

// descHolder embeds the descriptor type: the field is called ExtensionDesc.
type descHolder struct {
	*proto.ExtensionDesc // want "proto.ExtensionDesc is an embedded field"
}

func (d descHolder) field() int32 { return d.ExtensionDesc.Field }
