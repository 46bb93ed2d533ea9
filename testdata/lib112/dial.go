package lib112

import (
	"context"
	"net"

	"google.golang.org/grpc"

	greetpb "example.com/lib112/proto/greet/v1"
)

// Dial connects to a Greeter through dialer; grpc.Dial's replacement,
// grpc.NewClient, needs a grpc-go whose go directive is newer than this
// module's.
func Dial(ctx context.Context, dialer func(context.Context, string) (net.Conn, error)) (greetpb.GreeterClient, *grpc.ClientConn, error) {
	conn, err := grpc.DialContext(ctx, "greeter", grpc.WithContextDialer(dialer), grpc.WithInsecure())
	if err != nil {
		return nil, nil, err
	}
	return greetpb.NewGreeterClient(conn), conn, nil
}
