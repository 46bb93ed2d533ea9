package protov1_test

//lint:file-ignore SA1019 these tests run the deprecated APIv1 calls next to what the rules rewrite them to, to prove what differs.

import (
	"fmt"
	"testing"

	protov1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
)

// TestExtensionsOnHandWrittenMessage establishes what protov1.proto.extensions'
// refusal of a possibly hand-written message (handwritten.go) says:
// HasExtension answers false on both sides (APIv2 compares the derived
// descriptor with the extension's extendee), but where v1 returned an
// error from GetExtension, APIv2's GetExtension panics. The message is
// both the rule's example (a dynamic message) and protoc-gen-star's test
// value, a struct embedding the v1 interface.
func TestExtensionsOnHandWrittenMessage(t *testing.T) {
	for _, m := range []protov1.Message{
		&dynMsg{name: "google.protobuf.FieldOptions"},
		&struct{ protov1.Message }{},
	} {
		if protov1.HasExtension(m, labelExt) {
			t.Errorf("%T: v1 HasExtension = true", m)
		}
		if proto.HasExtension(protoadapt.MessageV2Of(m), labelExt) {
			t.Errorf("%T: APIv2 HasExtension = true", m)
		}
		if _, err := protov1.GetExtension(m, labelExt); err == nil {
			t.Errorf("%T: v1 GetExtension returned no error", m)
		}
		panicked := catch(func() { proto.GetExtension(protoadapt.MessageV2Of(m), labelExt) })
		if panicked == nil {
			t.Errorf("%T: APIv2 GetExtension did not panic", m)
		} else {
			t.Logf("%T: APIv2 GetExtension panics: %s", m, fmt.Sprint(panicked))
		}
		if err := protov1.SetExtension(m, labelExt, protov1.String("x")); err == nil {
			t.Errorf("%T: v1 SetExtension returned no error", m)
		}
		if p := catch(func() { proto.SetExtension(protoadapt.MessageV2Of(m), labelExt, "x") }); p == nil {
			t.Errorf("%T: APIv2 SetExtension did not panic", m)
		}
		if p := catch(func() { protov1.ClearExtension(m, labelExt) }); p != nil {
			t.Errorf("%T: v1 ClearExtension panicked: %v", m, p)
		}
		if p := catch(func() { proto.ClearExtension(protoadapt.MessageV2Of(m), labelExt) }); p == nil {
			t.Errorf("%T: APIv2 ClearExtension did not panic", m)
		}
	}
}

// catch runs f and returns what it panicked with, or nil.
func catch(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}
