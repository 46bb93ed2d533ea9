package server

import (
	"context"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "example.com/cases/svcpb"
)

// Greeter answers SERVING for the service named "greeter".
type Greeter struct {
	calls int
}

func (g *Greeter) SayHello(ctx context.Context, r *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	g.calls++
	if r.GetService() != "greeter" {
		return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVICE_UNKNOWN}, nil
	}
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
}

// Register registers g on s.
func Register(s *grpc.Server, g *Greeter) { pb.RegisterGreeterServer(s, g) }
