package helperfiles

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var creds = grpc.WithTransportCredentials(insecure.NewCredentials())

// dialTarget is the package's own: the helper gets another name.
func dialTarget() string { return "x" }

// Two files of one package use the same helper: it is written once.
func a(ctx context.Context, target string) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, target, creds, grpc.WithBlock())
}
