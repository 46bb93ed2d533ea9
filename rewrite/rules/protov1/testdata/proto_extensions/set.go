package proto_extensions

import (
	"fmt"

	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

func set(opts *descriptorpb.FieldOptions, n int, p *int32) error {
	// Priority first.
	if err := proto.SetExtension(opts, E_Priority, proto.Int32(5)); err != nil {
		return fmt.Errorf("priority: %w", err)
	}
	s := "name"
	err := proto.SetExtension(opts, E_Label, &s)
	if err != nil {
		return err
	}
	_ = proto.SetExtension(opts, E_Priority, proto.Int(n))
	proto.SetExtension(opts, E_Priority, p) // want "the pointer is dereferenced"
	k := descriptorpb.FieldDescriptorProto_TYPE_INT32
	proto.SetExtension(opts, E_Kind, &k)
	proto.SetExtension(opts, E_Nested, &descriptorpb.FileOptions{})
	return proto.SetExtension(opts, E_Label, proto.String("x"))
}

func kept(opts *descriptorpb.FieldOptions) error {
	err := proto.SetExtension(opts, E_Label, proto.String("y"))
	fmt.Println("set")
	return err
}

func register(d *proto.ExtensionDesc) {
	proto.RegisterExtension(d)
}

func others(opts *descriptorpb.FieldOptions) {
	proto.ClearAllExtensions(opts)                                    // want "ClearAllExtensions has no APIv2 function"
	_, _ = proto.GetExtensions(opts, []*proto.ExtensionDesc{E_Label}) // want "GetExtensions has no APIv2 function"
}
