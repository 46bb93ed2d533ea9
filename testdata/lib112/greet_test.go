package lib112

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"

	greetpb "example.com/lib112/proto/greet/v1"
)

func TestRoundTrip(t *testing.T) {
	when := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	req, err := NewRequest("ann", when)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.GetName() != "ann" || got.GetSent().GetSeconds() != when.Unix() {
		t.Errorf("round trip: %v", got)
	}
	j, err := JSON(&greetpb.HelloReply{Message: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if j != `{"message":"hi"}` {
		t.Errorf("JSON = %s", j)
	}
}

func TestSayHello(t *testing.T) {
	lis := bufconn.Listen(1 << 16)
	s := grpc.NewServer()
	Register(s)
	go s.Serve(lis)
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, conn, err := Dial(ctx, func(context.Context, string) (net.Conn, error) { return lis.Dial() })
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reply, err := c.SayHello(ctx, &greetpb.HelloRequest{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.GetMessage() != "hello bob" {
		t.Errorf("reply = %q", reply.GetMessage())
	}
}
