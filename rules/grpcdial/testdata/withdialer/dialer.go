package withdialer

import (
	"context"
	"net"
	"time"

	"google.golang.org/grpc"
)

func dialUnix(addr string, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout("unix", addr, timeout)
}

// param is the legacyapp shape: a dialer handed in by the caller.
func param(ctx context.Context, target string, dialer func(string, time.Duration) (net.Conn, error)) (*grpc.ClientConn, error) {
	return grpc.NewClient("passthrough:///"+target, grpc.WithDialer(dialer /* tests pass bufconn */))
}

func declared() grpc.DialOption {
	return grpc.WithDialer(dialUnix) // socket
}

func literal(addr string) grpc.DialOption {
	return grpc.WithDialer(func(a string, d time.Duration) (net.Conn, error) {
		// ctx here is the outer variable, not the adapter's parameter.
		ctx := context.Background()
		var nd net.Dialer
		nd.Timeout = d
		return nd.DialContext(ctx, "tcp", a)
	})
}

type factory struct {
	dial func(string, time.Duration) (net.Conn, error)
}

func field(f *factory) grpc.DialOption {
	return grpc.WithDialer(f.dial) // want "not a function literal, a declared function or a variable set once"
}

func reassigned() grpc.DialOption {
	d := dialUnix
	opt := grpc.WithDialer(d) // want "read it at each dial"
	d = nil
	_ = d
	return opt
}

func value() {
	w := grpc.WithDialer // want "used as a function value"
	_ = w
}
