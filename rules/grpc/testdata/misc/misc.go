package misc

import (
	"context"

	"google.golang.org/grpc"
	_ "google.golang.org/grpc/resolver/passthrough" // for passthrough:/// targets
)

func send(ctx context.Context, s grpc.Stream, m any) error { // want "ClientStream"
	return s.SendMsg(m)
}

func config(sc grpc.ServiceConfig) int { // want "WithDefaultServiceConfig"
	return len(sc.Methods)
}
