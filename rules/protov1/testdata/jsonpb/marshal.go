package jsonpb

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// legacy is a v1-only message shaped like protoc-gen-go 1.3 output (it
// declares XXX_Unmarshal): described by its own descriptor, it reaches
// protojson through protoadapt. jsonpb_handwritten has the refusals for
// hand-written messages.
type legacy struct{}

func (*legacy) XXX_Unmarshal([]byte) error { return nil }

func (*legacy) Reset()         {}
func (*legacy) String() string { return "legacy" }
func (*legacy) ProtoMessage()  {}

var pretty = jsonpb.Marshaler{OrigName: true, EnumsAsInts: true, EmitDefaults: true, Indent: "  "}

func write(w io.Writer, m *wrapperspb.StringValue) error {
	// Marshal to the writer.
	err := pretty.Marshal(w, m /* msg */) // trailing // want "protojson adds spaces"
	return err
}

func writeReturn(w io.Writer, m proto.Message) error {
	return pretty.Marshal(w, m) // want "protojson adds spaces" // want "importer passes one"
}

func writeAssign(m *legacy) (err error) {
	var buf bytes.Buffer
	err = (&jsonpb.Marshaler{}).Marshal(&buf, m) // want "protojson adds spaces"
	return
}

func writeIf(m *wrapperspb.StringValue) error {
	ma := &jsonpb.Marshaler{Indent: "\t"}
	ma.EmitDefaults = false
	if err := ma.Marshal(os.Stdout, m); err != nil { // want "protojson adds spaces"
		return err
	}
	return nil
}

func writeIfShadowing(m *wrapperspb.StringValue) (err error) {
	if err := pretty.Marshal(os.Stdout, m); err != nil { // want "protojson adds spaces"
		return err
	}
	err = nil
	return
}

func toString(m *wrapperspb.StringValue) (string, error) {
	s, err := pretty.MarshalToString(m) // want "protojson adds spaces"
	return s, err
}

func toStringReturn(m *wrapperspb.StringValue) (string, error) {
	return pretty.MarshalToString(m) // want "protojson adds spaces"
}

func toStringBlank(m *wrapperspb.StringValue) string {
	s, _ := pretty.MarshalToString(m) // want "protojson adds spaces"
	return s
}

func toStringExpr(m *wrapperspb.StringValue) int {
	return len(must(pretty.MarshalToString(m))) // want "protojson adds spaces"
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func badIndent() jsonpb.Marshaler {
	return jsonpb.Marshaler{Indent: "--"} // want "Indent containing anything but spaces"
}

func shadowed() int {
	jsonpb := map[string]int{}
	return jsonpb["x"]
}

// The conversion goes after the error check, where a person puts it.
func toStringChecked(m *wrapperspb.StringValue) (string, error) {
	s, err := pretty.MarshalToString(m) // want "protojson adds spaces"
	if err != nil {
		return "", errors.New("marshal: " + err.Error())
	}
	return s, nil
}

// Here the check uses the string: the conversion stays before it.
func toStringCheckedUsesValue(m *wrapperspb.StringValue) (string, error) {
	s, err := pretty.MarshalToString(m) // want "protojson adds spaces"
	if err != nil {
		return s, err
	}
	return s, nil
}

// err is declared outside the if block: := would shadow it there, so the
// bytes get a var declaration and err is assigned.
func writeNested(m *legacy) (err error) {
	var buf bytes.Buffer
	if m != nil {
		err = (&jsonpb.Marshaler{}).Marshal(&buf, m) // want "protojson adds spaces"
	}
	return
}

// assertedSink's writer is reached through a type assertion: the site
// check and the package-wide check of jsonpb.Marshaler uses give it the
// same answer (rule.Pass.SideEffectFree and rule.SideEffectFreeAst), so
// the package still migrates.
type assertedSink struct{ W io.Writer }

func writeAsserted(x interface{}, m *wrapperspb.StringValue) error {
	return pretty.Marshal(x.(*assertedSink).W, m) // want "protojson adds spaces"
}
