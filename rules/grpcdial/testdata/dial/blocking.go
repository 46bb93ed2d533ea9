package dial

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
)

type client struct{ conn *grpc.ClientConn }

// dialBlocking must fail at start-up when the address is wrong.
func dialBlocking(addr string, timeout time.Duration) (*client, error) {
	// Wait for the server.
	conn, err := grpc.Dial(addr, creds, grpc.WithBlock(), grpc.WithTimeout(timeout)) // bounded

	if err != nil {
		return nil, fmt.Errorf("dial %s: %v", addr, err)
	}
	return &client{conn: conn}, nil
}

func dialCtx(ctx context.Context) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, "bufnet", creds, grpc.WithBlock(), grpc.FailOnNonTempDialError(true))
}

func (c *client) redial(ctx context.Context, addr string) error {
	var err error
	opts := []grpc.DialOption{
		creds,
		grpc.WithBlock(), // must wait
	}
	opts = append(opts, grpc.WithTimeout(2*time.Second))
	c.conn, err = grpc.DialContext(ctx, addr, opts...)
	return err
}

func returnErr(state int) (*grpc.ClientConn, error) {
	if state > 0 {
		return nil, nil
	}
	return grpc.Dial("localhost:1", creds, grpc.WithReturnConnectionError())
}

type dialCfg struct{ Timeout time.Duration }

// assertedTimeout: the bound read through a type assertion moves into the
// explicit wait, as the same shape does in every rule
// (rule.Pass.SideEffectFree).
func assertedTimeout(addr string, x interface{}) (*grpc.ClientConn, error) {
	return grpc.Dial(addr, creds, grpc.WithBlock(), grpc.WithTimeout(x.(dialCfg).Timeout))
}
