package jsonpb

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

var strict = &jsonpb.Unmarshaler{AllowUnknownFields: false}

func readFresh(r io.Reader) (*wrapperspb.StringValue, error) {
	m := &wrapperspb.StringValue{}
	// Decode into a fresh message.
	err := jsonpb.Unmarshal(r, m) // trailing
	return m, err
}

func readVar(r io.Reader) (*durationpb.Duration, error) {
	var d durationpb.Duration
	if err := strict.Unmarshal(r, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func readInto(r io.Reader, m *durationpb.Duration) error {
	return jsonpb.Unmarshal(r, m)
}

func readTouched(r io.Reader) (*wrapperspb.StringValue, error) {
	m := &wrapperspb.StringValue{}
	m.Value = "default"
	err := strict.Unmarshal(r, m)
	return m, err
}

func readString(s string, m *wrapperspb.StringValue) error {
	return jsonpb.UnmarshalString(s, m)
}

func readStringFresh(s string) error {
	return jsonpb.UnmarshalString(s, new(wrapperspb.StringValue))
}

func readLoop(d *json.Decoder) error {
	var m wrapperspb.StringValue
	for {
		if err := jsonpb.UnmarshalNext(d, &m); err != nil {
			return err
		}
	}
}

func readLegacy(s string, l *legacy) error {
	return jsonpb.UnmarshalString(strings.TrimSpace(s), l)
}

func readSide(r io.Reader, get func() *wrapperspb.StringValue) error {
	return jsonpb.Unmarshal(r, get()) // want "message or options expression would be evaluated"
}

func fnValue() {
	f := jsonpb.UnmarshalString // want "used as a function value"
	_ = f
}

// readField and readStruct decode into messages that may hold data; the
// behaviour test runs their rewritten form against jsonpb itself.
func readField(r io.Reader, f *descriptorpb.FieldDescriptorProto) error {
	return jsonpb.Unmarshal(r, f)
}

func readStruct(s string, st *structpb.Struct) error {
	err := jsonpb.UnmarshalString(s, st)
	return err
}

// Bytes already in hand go to protojson directly (twirp's test read its
// response with jsonpb.Unmarshal(bytes.NewReader(respBytes), hat)).
func readBytes(data []byte) (*wrapperspb.StringValue, error) {
	m := new(wrapperspb.StringValue)
	if err := jsonpb.Unmarshal(bytes.NewReader(data), m); err != nil {
		return nil, err
	}
	return m, nil
}

func readStringReader(s string, m *structpb.Struct) error {
	return jsonpb.Unmarshal(strings.NewReader(s), m)
}
