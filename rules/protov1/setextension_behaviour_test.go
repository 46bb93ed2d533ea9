package protov1_test

//lint:file-ignore SA1019 the extension is declared the way protoc-gen-go <= 1.3 did, with the deprecated ExtensionInfo fields, to prove the rewrite behaves like the v1 call.

import (
	"fmt"
	"strings"
	"testing"

	protov1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/runtime/protoimpl"
	"google.golang.org/protobuf/types/descriptorpb"
)

// labelExt is a string extension declared the way protoc-gen-go <= 1.3
// did (testdata/proto_extensions/exts.go has the same one).
var labelExt = &protoimpl.ExtensionInfo{
	ExtendedType:  (*descriptorpb.FieldOptions)(nil),
	ExtensionType: (*string)(nil),
	Field:         50002,
	Name:          "example.label",
	Tag:           "bytes,50002,opt,name=label",
}

// setRewritten is what protov1.proto.extensions writes for
// `err := proto.SetExtension(m, labelExt, v)` with v typed interface{}
// (golden proto_extensions/set.go, fromReflection).
func setRewritten(m *descriptorpb.FieldOptions, v interface{}) error {
	return func() (err error) {
		defer func() {
			if rec := recover(); rec != nil {
				err = fmt.Errorf("%v", rec)
			}
		}()
		proto.SetExtension(m, labelExt, *v.(*string))
		return nil
	}()
}

// TestSetExtensionInterfaceValue: the value v1 took (a *string in an
// interface{}) makes APIv2's SetExtension panic; the rewrite's checked
// conversion sets the same value, and a value v1 rejected still gives an
// error instead of a panic.
func TestSetExtensionInterfaceValue(t *testing.T) {
	var v interface{} = protov1.String("x")
	if err := protov1.SetExtension(&descriptorpb.FieldOptions{}, labelExt, v); err != nil {
		t.Fatalf("v1 SetExtension(*string): %v", err)
	}
	panicked := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		proto.SetExtension(&descriptorpb.FieldOptions{}, labelExt, v)
		return ""
	}()
	if !strings.Contains(panicked, "invalid type") {
		t.Fatalf("APIv2 SetExtension(*string) = %q; expected a panic about the type", panicked)
	}
	m := &descriptorpb.FieldOptions{}
	if err := setRewritten(m, v); err != nil || proto.GetExtension(m, labelExt) != "x" {
		t.Fatalf("rewritten SetExtension: %v, value %v", err, proto.GetExtension(m, labelExt))
	}
	for _, bad := range []interface{}{5, (*string)(nil), nil} {
		if err := protov1.SetExtension(&descriptorpb.FieldOptions{}, labelExt, bad); err == nil {
			t.Fatalf("v1 SetExtension(%#v) succeeded", bad)
		}
		if err := setRewritten(&descriptorpb.FieldOptions{}, bad); err == nil {
			t.Fatalf("rewritten SetExtension(%#v) succeeded where v1 failed", bad)
		}
	}
}
