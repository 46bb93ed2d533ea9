// Package keepformat runs with -keep-output-format: every rewrite that
// changes produced text is refused (jsonpb.Marshaler stays for the whole
// package), decoding still moves.
package keepformat

import (
	"io"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

var out = jsonpb.Marshaler{Indent: "  "}

func render(s *structpb.Struct) (string, error) {
	return out.MarshalToString(s) // want "not rewritten: -keep-output-format: the rewrite would change the produced JSON"
}

func decode(r io.Reader, s *structpb.Struct) error {
	return (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(r, s)
}

func text(s *structpb.Struct) string {
	return proto.MarshalTextString(s) // want "not rewritten: -keep-output-format: the rewrite would change the produced text"
}

func parse(t string, s *structpb.Struct) error {
	return proto.UnmarshalText(t, s)
}
