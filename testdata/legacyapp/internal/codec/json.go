package codec

import (
	"fmt"
	"io"
	"strings"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

// jsonOut is the format of the partner export: snake_case names (the
// partners' parsers predate lowerCamelCase) and every field present, so a
// missing key always means "old export version".
var jsonOut = jsonpb.Marshaler{
	OrigName:     true,
	EmitDefaults: true,
	Indent:       "  ",
}

// OrderJSON renders an order for the partner export.
func OrderJSON(o *orderspb.Order) (string, error) {
	s, err := jsonOut.MarshalToString(o)
	if err != nil {
		return "", fmt.Errorf("codec: order %s to JSON: %v", o.GetId(), err)
	}
	return s, nil
}

// WriteJSON streams any message in the export format.
func WriteJSON(w io.Writer, m proto.Message) error {
	if err := jsonOut.Marshal(w, m); err != nil {
		return fmt.Errorf("codec: %s to JSON: %v", proto.MessageName(m), err)
	}
	return nil
}

// DecodeOrder reads an order a partner posted. Partners roll out new fields
// before we do, so unknown fields are accepted and dropped.
func DecodeOrder(r io.Reader) (*orderspb.Order, error) {
	o := &orderspb.Order{}
	u := jsonpb.Unmarshaler{AllowUnknownFields: true}
	if err := u.Unmarshal(r, o); err != nil {
		return nil, fmt.Errorf("codec: decoding order JSON: %v", err)
	}
	return o, nil
}

// ApplyPatch overlays a partial JSON order on dst. Keys missing from the
// patch keep dst's values: jsonpb merges into the message it is given instead
// of clearing it first, and the PATCH endpoint depends on exactly that.
func ApplyPatch(dst *orderspb.Order, patch io.Reader) error {
	err := (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(patch, dst)
	if err != nil {
		return fmt.Errorf("codec: applying patch to order %s: %v", dst.GetId(), err)
	}
	return nil
}

// ParseOrderString is for fixtures and the -seed flag, where a JSON typo
// should fail loudly, so unknown fields are errors here.
func ParseOrderString(s string) (*orderspb.Order, error) {
	o := new(orderspb.Order)
	if err := jsonpb.UnmarshalString(strings.TrimSpace(s), o); err != nil {
		return nil, fmt.Errorf("codec: parsing order: %v", err)
	}
	return o, nil
}
