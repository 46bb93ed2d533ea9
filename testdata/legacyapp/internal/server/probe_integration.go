//go:build integration

package server

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

// Probe checks a deployed ordersd (integration runs only).
func Probe(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, addr, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = orderspb.NewOrderServiceClient(conn).GetOrder(ctx, &orderspb.GetOrderRequest{Id: "probe"})
	if grpc.Code(err) == codes.NotFound {
		return nil
	}
	return err
}
