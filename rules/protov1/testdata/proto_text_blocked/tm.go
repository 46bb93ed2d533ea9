// Package proto_text_blocked keeps proto.TextMarshaler: one literal sets
// a field from a variable, whose inverted meaning protolift cannot carry.
package proto_text_blocked

import (
	"io"

	"github.com/golang/protobuf/proto"
)

func marshal(w io.Writer, m proto.Message, compact bool) error {
	tm := proto.TextMarshaler{Compact: compact} // want "field set to a non-constant"
	return tm.Marshal(w, m)
}

func text(m proto.Message) string {
	return (&proto.TextMarshaler{}).Text(m)
}
