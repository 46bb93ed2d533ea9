package dial

import (
	"context"
	"time"

	"google.golang.org/grpc"
)

// As in mwitkow/grpc-proxy's tests: a context made only for the dial.
func ctxOnlyForDial(addr string) (*grpc.ClientConn, error) {
	dCtx, ccl := context.WithTimeout(context.Background(), time.Second)
	defer ccl()
	return grpc.DialContext(dCtx, addr, creds)
}

// The context is used again: it stays.
func ctxUsedAgain(addr string) (*grpc.ClientConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, addr, creds)
	if err != nil {
		return nil, ctx.Err()
	}
	return conn, nil
}

// The only variable the statement declares.
func onlyName(addr string) (*grpc.ClientConn, error) {
	bg := context.Background()
	return grpc.DialContext(bg, addr, creds)
}
