package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"

	"example.com/legacyapp/client"
	"example.com/legacyapp/internal/server"
	orderspb "example.com/legacyapp/proto/orders/v1"
)

// serve starts the real service on an in-memory listener.
func serve(t *testing.T) *bufconn.Listener {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer(grpc.MaxMsgSize(4 << 20))
	orderspb.RegisterOrderServiceServer(s, server.New())
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return lis
}

func TestInMemoryRoundTrip(t *testing.T) {
	lis := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialWith(ctx, "bufnet", func(string, time.Duration) (net.Conn, error) { return lis.Dial() })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	created, err := c.Create(ctx, &orderspb.Order{CustomerId: "c-1", Items: []*orderspb.LineItem{{Sku: "sku-1", Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if created.GetId() == "" || created.GetCreatedAt() == nil {
		t.Fatalf("created order lacks id or time: %v", created)
	}
	if _, err := ptypes.Timestamp(created.GetCreatedAt()); err != nil {
		t.Fatalf("created_at: %v", err)
	}
	got, err := c.Get(ctx, created.GetId())
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, created) {
		t.Errorf("Get = %v, want %v", got, created)
	}
	if err := c.Cancel(ctx, created.GetId()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "missing"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("Get(missing) error = %v, want ErrNotFound", err)
	}
}

func TestStreams(t *testing.T) {
	lis := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, "bufnet", grpc.WithInsecure(),
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return lis.Dial() }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	api := orderspb.NewOrderServiceClient(conn)
	o, err := api.CreateOrder(ctx, &orderspb.CreateOrderRequest{Order: &orderspb.Order{CustomerId: "c-2"}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := api.WatchOrders(ctx, &orderspb.WatchOrdersRequest{CustomerId: "c-2"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := w.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var payload orderspb.Order
	if err := ptypes.UnmarshalAny(ev.GetPayload(), &payload); err != nil {
		t.Fatal(err)
	}
	if payload.GetId() != o.GetId() {
		t.Errorf("event payload is order %q, want %q", payload.GetId(), o.GetId())
	}
	if _, err := w.Recv(); err != io.EOF {
		t.Errorf("second Recv: %v, want EOF", err)
	}
}

// A dial that was asked to block must still fail, and within its bound,
// when nothing listens: start-up depends on it.
func TestDialFailsFast(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	start := time.Now()
	c, err := client.Dial(addr, 300*time.Millisecond)
	if err == nil {
		c.Close()
		t.Fatal("Dial to a closed port succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Dial took %v to fail, want about 300ms", d)
	}
}
