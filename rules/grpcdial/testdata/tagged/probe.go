//go:build integration

package tagged

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Probe is built with -tags=integration only: the helper file it needs
// carries the same constraint, so other builds do not compile it.
func Probe(ctx context.Context, addr string) error {
	conn, err := grpc.DialContext(ctx, addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithBlock())
	if err != nil {
		return err
	}
	return conn.Close()
}
