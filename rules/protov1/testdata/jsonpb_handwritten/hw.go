package jsonpb_handwritten

import (
	"bytes"
	"strings"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
)

// dynamic is a hand-written v1 message, as reflection libraries have: it
// implements the v1 interface itself and prints its own JSON. protojson
// would see it without fields and print {} (TestHandWrittenJSONLosesData).
type dynamic struct{ fields map[string]string }

func (*dynamic) Reset()         {}
func (*dynamic) String() string { return "dynamic" }
func (*dynamic) ProtoMessage()  {}

func (d *dynamic) MarshalJSONPB(*jsonpb.Marshaler) ([]byte, error) { return []byte(`{"a":"b"}`), nil }

func write(d *dynamic) (string, error) {
	var buf bytes.Buffer
	err := (&jsonpb.Marshaler{}).Marshal(&buf, d) // want "is a hand-written v1 message"
	return buf.String(), err
}

func read(s string, d *dynamic) error {
	return jsonpb.Unmarshal(strings.NewReader(s), d) // want "is a hand-written v1 message"
}

// Any v1 message value may hold a dynamic here: this package links one.
func show(m proto.Message) (string, error) {
	return (&jsonpb.Marshaler{}).MarshalToString(m) // want "is a v1 message interface"
}

func use() {
	_, _ = show(&dynamic{})
}

func readString(s string, d *dynamic) error {
	return jsonpb.UnmarshalString(s, d) // want "is a hand-written v1 message"
}
