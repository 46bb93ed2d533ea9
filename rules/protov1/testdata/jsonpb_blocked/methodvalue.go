package jsonpb_blocked

import (
	"io"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
)

type decoder struct {
	jsonpb.Unmarshaler // want "embedded jsonpb.Unmarshaler"
}

func decodeWith(u *jsonpb.Unmarshaler) func(io.Reader, proto.Message) error {
	return u.Unmarshal // want "method value Unmarshal of jsonpb.Unmarshaler"
}
