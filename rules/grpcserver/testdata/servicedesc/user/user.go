package user

import (
	"google.golang.org/grpc"

	pb "example.com/cases/descpb"
)

type greeter struct {
	pb.UnimplementedGreeterServer
}

func registerAll(s *grpc.Server, reg func(*grpc.Server, pb.GreeterServer)) {
	reg(s, greeter{})
}

// Serve registers through a function value.
func Serve(s *grpc.Server) {
	registerAll(s, pb.RegisterGreeterServer) // typed parameter
	newStyle := pb.RegisterGreeterServer     // compiles unchanged
	newStyle(s, greeter{})
	pb.RegisterGreeterServer(s, greeter{})
}
