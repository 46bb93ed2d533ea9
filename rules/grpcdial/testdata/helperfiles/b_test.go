package helperfiles

import (
	"context"
	"testing"

	"google.golang.org/grpc"
)

// A test of the package calls the helper protolift_helpers.go has: no
// test helper file is needed.
func TestB(t *testing.T) {
	conn, err := grpc.DialContext(context.Background(), "localhost:1", creds, grpc.WithBlock())
	_, _ = conn, err
}
