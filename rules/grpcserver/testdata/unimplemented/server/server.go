package server

import (
	"context"
	"sync"

	"google.golang.org/grpc"

	pb "example.com/cases/svcpb"
)

// greeter serves the Greeter service.
type greeter struct {
	// mu guards n.
	mu sync.Mutex
	n  int
}

func (g *greeter) SayHello(ctx context.Context, r *pb.HelloRequest) (*pb.HelloReply, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return &pb.HelloReply{Message: "hello " + r.Name}, nil
}

func (g *greeter) SayBye(ctx context.Context, r *pb.HelloRequest) (*pb.HelloReply, error) {
	return &pb.HelloReply{Message: "bye"}, nil
}

// both serves two services from one value type.
type both struct{}

func (both) SayHello(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) { return nil, nil }
func (both) SayBye(context.Context, *pb.HelloRequest) (*pb.HelloReply, error)   { return nil, nil }
func (both) Stop(context.Context, *pb.HelloRequest) (*pb.HelloReply, error)     { return nil, nil }

// already embeds correctly.
type already struct {
	pb.UnimplementedGreeterServer
}

type byPointer struct { // want "embeds \*svcpb.UnimplementedGreeterServer: RegisterGreeterServer .* panics"
	*pb.UnimplementedGreeterServer
}

func (*byPointer) SayHello(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) {
	return nil, nil
}

// wrapped gets its RPCs from greeter, which is fixed itself.
type wrapped struct {
	*greeter
	extra int
}

type handler int // want "handler is not a struct type"

func (handler) SayHello(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) { return nil, nil }
func (handler) SayBye(context.Context, *pb.HelloRequest) (*pb.HelloReply, error)   { return nil, nil }

// mock embeds the interface, which carries the method already.
type mock struct {
	pb.GreeterServer
}

func (mock) SayHello(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) { return nil, nil }

// foreign gets SayBye from another package's type.
type foreign struct { // want "gets SayBye through an embedded type"
	pb.Base
}

func (foreign) SayHello(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) { return nil, nil }

// notAServer has RPC-like names with other signatures.
type notAServer struct{}

func (notAServer) SayHello(string) error { return nil }

func Register(s *grpc.Server) {
	pb.RegisterGreeterServer(s, &greeter{})
	pb.RegisterAdminServer(s, both{})
	pb.RegisterGreeterServer(s, &wrapped{greeter: &greeter{}})
	pb.RegisterGreeterServer(s, &already{})
}
