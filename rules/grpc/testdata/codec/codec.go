package codec

import (
	"encoding/json"

	"google.golang.org/grpc"
)

// jsonCodec implements both the old and the new codec interfaces.
type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (jsonCodec) String() string                     { return "json" }
func (jsonCodec) Name() string                       { return "json" }

// oldCodec only has String.
type oldCodec struct{ jsonCodec }

func (oldCodec) Name() {}

func client() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithCodec(jsonCodec{} /* forced */), // JSON on the wire
		grpc.WithCodec(oldCodec{}),               // want "has no Name"
		grpc.WithDefaultCallOptions(grpc.CallCustomCodec(&jsonCodec{})),
	}
}

func server(c grpc.Codec) *grpc.Server { // want "grpc.Codec is deprecated"
	return grpc.NewServer(
		grpc.CustomCodec(jsonCodec{}),
		grpc.CustomCodec(c), // want "has no Name"
	)
}

var mk = grpc.CallCustomCodec // want "function value"
