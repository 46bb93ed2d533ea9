// Package output_format produces text in every form the rules rewrite;
// behaviour_output_test.go runs the rewritten code against the v1
// libraries to prove the warnings say what changes.
package output_format

import (
	"bytes"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
)

func jsonCompact(m proto.Message) (string, error) {
	return (&jsonpb.Marshaler{}).MarshalToString(m) // want "protojson adds spaces" // want "importer passes one"
}

func jsonIndent(m proto.Message) (string, error) {
	var buf bytes.Buffer
	err := (&jsonpb.Marshaler{Indent: "  "}).Marshal(&buf, m) // want "protojson adds spaces" // want "importer passes one"
	return buf.String(), err
}

func textMulti(m proto.Message) string {
	return proto.MarshalTextString(m) // want "name: <…>" // want "importer passes one"
}

func textCompact(m proto.Message) string {
	return proto.CompactTextString(m) // want "name:<… >" // want "importer passes one"
}

func textWriter(m proto.Message) (string, error) {
	var buf bytes.Buffer
	err := proto.MarshalText(&buf, m) // want "name: <…>" // want "importer passes one"
	return buf.String(), err
}

var compactMarshaler = proto.TextMarshaler{Compact: true}

func textMarshalerCompact(m proto.Message) string {
	return compactMarshaler.Text(m) // want "printed `<…>`" // want "importer passes one"
}
