// Package lib112 is a small library at go 1.12 on golang/protobuf and an
// old grpc-go: the migration must keep its go directive.
package lib112

import (
	"bytes"
	"context"
	"time"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	"google.golang.org/grpc"

	greetpb "example.com/lib112/proto/greet/v1"
)

// Server answers SayHello.
type Server struct{}

// SayHello greets the caller.
func (Server) SayHello(ctx context.Context, req *greetpb.HelloRequest) (*greetpb.HelloReply, error) {
	return &greetpb.HelloReply{Message: "hello " + req.GetName()}, nil
}

// Register adds the Greeter service to s.
func Register(s *grpc.Server) { greetpb.RegisterGreeterServer(s, Server{}) }

// NewRequest builds a request stamped with t.
func NewRequest(name string, t time.Time) (*greetpb.HelloRequest, error) {
	ts, err := ptypes.TimestampProto(t)
	if err != nil {
		return nil, err
	}
	return &greetpb.HelloRequest{Name: name, Sent: ts}, nil
}

// Encode marshals a request.
func Encode(req *greetpb.HelloRequest) ([]byte, error) { return proto.Marshal(req) }

// Decode unmarshals a request.
func Decode(b []byte) (*greetpb.HelloRequest, error) {
	req := &greetpb.HelloRequest{}
	if err := proto.Unmarshal(b, req); err != nil {
		return nil, err
	}
	return req, nil
}

// JSON renders a reply as JSON with the .proto field names.
func JSON(reply *greetpb.HelloReply) (string, error) {
	var buf bytes.Buffer
	m := jsonpb.Marshaler{OrigName: true}
	if err := m.Marshal(&buf, reply); err != nil {
		return "", err
	}
	return buf.String(), nil
}
