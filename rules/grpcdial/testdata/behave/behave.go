package behave

import (
	"context"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var creds = grpc.WithTransportCredentials(insecure.NewCredentials())

// DialMemory dials an in-memory listener through a custom dialer with a
// name that is no host: Dial passed it to the dialer untouched.
func DialMemory(dial func(context.Context) (net.Conn, error)) (*grpc.ClientConn, error) {
	return grpc.Dial("bufnet", creds, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return dial(ctx)
	}))
}

// DialStrict fails when nothing answers at addr within 300ms.
func DialStrict(addr string) (*grpc.ClientConn, error) {
	conn, err := grpc.Dial(addr, creds, grpc.WithBlock(), grpc.WithTimeout(300*time.Millisecond))
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// DialStrictCtx is DialStrict bounded by the caller's context.
func DialStrictCtx(ctx context.Context, addr string) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, addr, creds, grpc.WithBlock())
}

// DialLegacy is the pre-1.19 shape: a dialer taking a timeout.
func DialLegacy(ctx context.Context, dialer func(string, time.Duration) (net.Conn, error)) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, "bufnet", creds, grpc.WithDialer(dialer))
}

// DialFailFast gives up at the first refused connection instead of
// waiting out its five seconds.
func DialFailFast(addr string) (*grpc.ClientConn, error) {
	conn, err := grpc.Dial(addr, creds, grpc.WithBlock(), grpc.FailOnNonTempDialError(true), grpc.WithTimeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	return conn, nil
}
