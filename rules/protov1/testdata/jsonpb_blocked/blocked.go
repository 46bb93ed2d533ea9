// Package jsonpb_blocked keeps jsonpb.Marshaler for the whole package:
// one call cannot be rewritten, and a half-migrated package would not
// compile. The package functions still move.
package jsonpb_blocked

import (
	"io"

	"github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

var m jsonpb.Marshaler

func ok(w io.Writer, v *wrapperspb.StringValue) error {
	return m.Marshal(w, v)
}

func sideEffectWriter(get func() io.Writer, v *wrapperspb.StringValue) error {
	return m.Marshal(get(), v) // want "writer expression of this Marshal call"
}

func read(r io.Reader) error {
	return jsonpb.Unmarshal(r, &wrapperspb.StringValue{})
}
