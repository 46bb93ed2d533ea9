// Package client is the orders service client other teams import.
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

// ErrNotFound is returned when the order does not exist.
var ErrNotFound = errors.New("orders: not found")

// Client talks to the orders service.
type Client struct {
	conn *grpc.ClientConn
	api  orderspb.OrderServiceClient
}

// Dial connects to the orders service at addr and waits until the
// connection is up, so a misconfigured address fails at start-up rather
// than on the first request.
func Dial(addr string, timeout time.Duration) (*Client, error) {
	conn, err := grpc.Dial(addr, grpc.WithInsecure(), grpc.WithBlock(), grpc.WithTimeout(timeout))
	if err != nil {
		return nil, fmt.Errorf("orders: dial %s: %v", addr, err)
	}
	return &Client{conn: conn, api: orderspb.NewOrderServiceClient(conn)}, nil
}

// DialWith connects through dialer: an in-memory listener in tests, the
// sidecar's unix socket in production. target is only a name for the
// dialer; it is never resolved.
func DialWith(ctx context.Context, target string, dialer func(string, time.Duration) (net.Conn, error)) (*Client, error) {
	conn, err := grpc.DialContext(ctx, target, grpc.WithInsecure(), grpc.WithDialer(dialer))
	if err != nil {
		return nil, fmt.Errorf("orders: dial %s: %v", target, err)
	}
	return &Client{conn: conn, api: orderspb.NewOrderServiceClient(conn)}, nil
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Create stores an order and returns it with its id.
func (c *Client) Create(ctx context.Context, o *orderspb.Order) (*orderspb.Order, error) {
	return c.api.CreateOrder(ctx, &orderspb.CreateOrderRequest{Order: o}, grpc.FailFast(false))
}

// Get fetches an order; ErrNotFound when there is none.
func (c *Client) Get(ctx context.Context, id string) (*orderspb.Order, error) {
	o, err := c.api.GetOrder(ctx, &orderspb.GetOrderRequest{Id: id})
	if grpc.Code(err) == codes.NotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("orders: get %s: %s", id, grpc.ErrorDesc(err))
	}
	return o, nil
}

// Cancel cancels an order.
func (c *Client) Cancel(ctx context.Context, id string) error {
	_, err := c.api.CancelOrder(ctx, &orderspb.GetOrderRequest{Id: id})
	return err
}
