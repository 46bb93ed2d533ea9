package helperfiles_test

import (
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The external test package cannot see package helperfiles' helpers: it
// gets its own file.
func TestExt(t *testing.T) {
	conn, err := grpc.Dial("localhost:1", grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithBlock(), grpc.WithTimeout(time.Millisecond))
	_, _ = conn, err
}
