package server

import (
	"context"

	"google.golang.org/grpc"

	pb "example.com/cases/svcpb"
)

// greeter opts out of forward compatibility.
type greeter struct {
	prefix string
}

func (g *greeter) SayHello(ctx context.Context, r *pb.HelloRequest) (*pb.HelloReply, error) {
	return &pb.HelloReply{Message: g.prefix + r.Name}, nil
}

func (g *greeter) SayBye(ctx context.Context, r *pb.HelloRequest) (*pb.HelloReply, error) {
	return &pb.HelloReply{Message: "bye"}, nil
}

func Register(s *grpc.Server) {
	pb.RegisterGreeterServer(s, &greeter{prefix: "hi "})
}
