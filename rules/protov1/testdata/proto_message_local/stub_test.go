// Package proto_message_local holds protoc-gen-star's test stub: a
// hand-written message made by embedding the v1 interface in a struct
// written inside the test. Nothing can name that type outside the
// function and nothing selects the field, so the embedded type moves
// (the field becomes MessageV1, which only reflection sees); a stub whose
// field is selected by name keeps it.
package proto_message_local

import (
	"testing"

	"github.com/golang/protobuf/proto"
)

func describe(m proto.Message) string {
	if m == nil {
		return ""
	}
	return "message"
}

func TestStub(t *testing.T) {
	opts := &struct{ proto.Message }{}
	if describe(opts) != "message" {
		t.Fatal("stub not seen as a message")
	}
}

func TestSelected(t *testing.T) {
	stub := struct{ proto.Message }{} // want "proto.Message is an embedded field"
	if stub.Message != nil {
		t.Fatal("unexpected inner message")
	}
}
