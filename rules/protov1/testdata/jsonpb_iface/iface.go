// Package jsonpb_iface stores a *jsonpb.Marshaler in a variable of the
// package's own interface type, which *protojson.MarshalOptions does not
// implement: jsonpb.Marshaler stays for the whole package (issue 9,
// shape 2).
package jsonpb_iface

import (
	"bytes"
	"io"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
)

type Marshaler interface {
	Marshal(io.Writer, proto.Message) error
}

var M Marshaler = &jsonpb.Marshaler{} // want "jsonpb.Marshaler value declared as Marshaler \(an interface\)"

func direct(m proto.Message) (string, error) {
	var buf bytes.Buffer
	err := (&jsonpb.Marshaler{}).Marshal(&buf, m)
	return buf.String(), err
}

func logged(o *jsonpb.Marshaler, log func(any)) {
	log(o) // want "jsonpb.Marshaler value passed to log as any \(an interface\)"
}
