package helperreuse

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// A dial added after an earlier run: newClientAndWait is reused and the
// missing newClientAndWaitTimeout is added to the same file.
func c(ctx context.Context) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, "localhost:1", grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithBlock(), grpc.WithTimeout(time.Second))
}
