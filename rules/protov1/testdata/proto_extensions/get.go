package proto_extensions

import (
	"errors"
	"fmt"

	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

func priority(opts *descriptorpb.FieldOptions) int32 {
	// Read the priority.
	v, err := proto.GetExtension(opts, E_Priority) // trailing
	if err != nil {
		return 0
	}
	return *v.(*int32)
}

func label(opts *descriptorpb.FieldOptions) (string, bool) {
	v, err := proto.GetExtension(opts, E_Label)
	if err == proto.ErrMissingExtension {
		return "", false
	}
	return *v.(*string), true
}

func kind(opts *descriptorpb.FieldOptions) descriptorpb.FieldDescriptorProto_Type {
	if v, err := proto.GetExtension(opts, E_Kind); err == nil {
		return *v.(*descriptorpb.FieldDescriptorProto_Type)
	}
	return 0
}

func nested(opts *descriptorpb.FieldOptions) *descriptorpb.FileOptions {
	v, _ := proto.GetExtension(opts, E_Nested)
	return v.(*descriptorpb.FileOptions)
}

func isMissing(opts *descriptorpb.FieldOptions) bool {
	_, err := proto.GetExtension(opts, E_Label)
	if errors.Is(err, proto.ErrMissingExtension) {
		return true
	}
	return false
}

func keepsPointer(opts *descriptorpb.FieldOptions) *int32 {
	v, _ := proto.GetExtension(opts, E_Priority) // want "not rewritten: a comma-ok assertion of the value may run when the extension is missing"
	p, _ := v.(*int32)
	return p
}

func printed(opts *descriptorpb.FieldOptions) {
	v, _ := proto.GetExtension(opts, E_Priority) // want "not rewritten: the value is used without a type assertion"
	fmt.Println(v)
}

func wrapped(opts *descriptorpb.FieldOptions) error {
	_, err := proto.GetExtension(opts, E_Label) // want "not rewritten: the error is used beyond one test in the statements that follow"
	if err != nil {
		return fmt.Errorf("label: %w", err)
	}
	return nil
}

func returned(opts *descriptorpb.FieldOptions) (interface{}, error) {
	return proto.GetExtension(opts, E_Label) // want "not rewritten: proto.GetExtension changes its results"
}

func compare(err error) bool {
	return err == proto.ErrMissingExtension // want "no ErrMissingExtension"
}

func has(opts *descriptorpb.FieldOptions) bool {
	proto.ClearExtension(opts /* opts */, E_Kind)
	return proto.HasExtension(opts, E_Label)
}

// guardedWrap is the most common real shape: a presence guard, then the
// error wrapped and returned. After the guard the branch is dead.
func guardedWrap(opts *descriptorpb.FieldOptions) (string, error) {
	if !proto.HasExtension(opts, E_Label) {
		return "", errors.New("no label")
	}
	v, err := proto.GetExtension(opts, E_Label)
	if err != nil {
		return "", fmt.Errorf("label: %w", err)
	}
	return *v.(*string), nil
}

// unguardedWrap has no presence guard: the wrapped error is v1's
// ErrMissingExtension, which has no place to go in APIv2.
func unguardedWrap(opts *descriptorpb.FieldOptions) (string, error) {
	v, err := proto.GetExtension(opts, E_Label) // want "the error is used beyond one test"
	if err != nil {
		return "", fmt.Errorf("label: %w", err)
	}
	return *v.(*string), nil
}
