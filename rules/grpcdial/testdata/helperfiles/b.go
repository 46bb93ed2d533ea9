package helperfiles

import (
	"context"

	"google.golang.org/grpc"
)

func b(ctx context.Context, target string) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, target, creds, grpc.WithBlock())
}
