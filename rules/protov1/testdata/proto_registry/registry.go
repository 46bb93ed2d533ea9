package proto_registry

import (
	"fmt"
	"reflect"

	"github.com/golang/protobuf/proto"
)

type holder struct{ T reflect.Type }

func lookup(name string) reflect.Type {
	// Find the Go type.
	t := proto.MessageType(name) // by full name
	if t == nil {
		return nil
	}
	return t
}

func into(h *holder) {
	h.T = proto.MessageType("google.protobuf.Duration")
}

func inline() {
	fmt.Println(proto.MessageType("google.protobuf.Empty")) // want "used inside an expression"
}

func gz() []byte {
	return proto.FileDescriptor("google/protobuf/empty.proto") // want "gzipped"
}

func init() {
	proto.RegisterMessageSetType(nil, 1, "x") // want "delete the call"
	proto.RegisterEnum("x.E", nil, nil)       // want "RegisterEnum is for generated code"
}

func value() {
	f := proto.MessageType // want "function value"
	_ = f
}
