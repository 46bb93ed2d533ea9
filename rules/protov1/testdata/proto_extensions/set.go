package proto_extensions

import (
	"fmt"

	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/gofeaturespb"
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
	proto.SetExtension(opts, E_Priority, p) // want "the value may be nil"
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

// fromReflection sets a value typed interface{} (from reflection): v1
// took the *string, APIv2 wants a string. The error is kept with a
// checked conversion inside the function literal that recovers APIv2's
// panic.
func fromReflection(opts *descriptorpb.FieldOptions, v interface{}) error {
	if err := proto.SetExtension(opts, E_Label, v); err != nil {
		return fmt.Errorf("label: %w", err)
	}
	return nil
}

// ignoredReflection ignores the error: v1 went on after a wrong value,
// APIv2 would panic.
func ignoredReflection(opts *descriptorpb.FieldOptions, v interface{}) {
	proto.SetExtension(opts, E_Label, v) // want "the value's static type interface{} is not \*string"
}

// wrongType passes a string for an int32 extension: v1's error is kept.
func wrongType(opts *descriptorpb.FieldOptions) error {
	err := proto.SetExtension(opts, E_Priority, "high")
	if err != nil {
		return err
	}
	return nil
}

// unknownExt cannot read the extension's type: a parameter.
func unknownExt(opts *descriptorpb.FieldOptions, xt *proto.ExtensionDesc, v interface{}) error {
	return proto.SetExtension(opts, xt, v) // want "the extension's Go type cannot be read from its declaration"
}

// nilMessage may pass a nil message: v1 returned an error, APIv2 clears.
func nilMessage(opts *descriptorpb.FieldOptions, fo *descriptorpb.FileOptions) {
	proto.SetExtension(opts, E_Nested, fo) // want "the value may be nil"
}

func nilMessageChecked(opts *descriptorpb.FieldOptions, fo *descriptorpb.FileOptions) error {
	return proto.SetExtension(opts, E_Nested, fo) // want "the message value may be nil"
}

// fromDependency uses an extension generated in another module
// (protoc-gen-go >= 1.20: E_Go = &file_…_extTypes[0]), read from its
// source file.
func fromDependency(fs *descriptorpb.FeatureSet, v interface{}) error {
	proto.SetExtension(fs, gofeaturespb.E_Go, &gofeaturespb.GoFeatures{})
	return proto.SetExtension(fs, gofeaturespb.E_Go, v)
}

// guardedMessage tests the message value against nil first: v1 could not
// fail, so the check goes.
func guardedMessage(opts *descriptorpb.FieldOptions, fo *descriptorpb.FileOptions) error {
	if fo != nil {
		if err := proto.SetExtension(opts, E_Nested, fo); err != nil {
			return err
		}
	}
	return nil
}
