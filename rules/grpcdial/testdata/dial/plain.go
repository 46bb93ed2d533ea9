package dial

import (
	"context"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

const sock = "unix:///var/run/app.sock"

var creds = grpc.WithTransportCredentials(insecure.NewCredentials())

// nonBlocking dials lazily: only the resolver must be kept.
func nonBlocking(addr string) (*grpc.ClientConn, error) {
	// The target comes from configuration.
	conn, err := grpc.Dial(addr /* from flags */, creds) // trailing
	if err != nil {
		return nil, err
	}
	return conn, nil
}

func literalTargets() {
	a, _ := grpc.Dial("bufnet", creds)
	b, _ := grpc.Dial("localhost:50051", creds)
	c, _ := grpc.Dial(sock, creds)
	d, _ := grpc.Dial("dns:///example.com:443", creds)
	e, _ := grpc.Dial("xds:///svc", creds)
	f, _ := grpc.Dial("127.0.0.1:"+"8080", creds)
	_, _, _, _, _, _ = a, b, c, d, e, f
}

func withContext(ctx context.Context, target string) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, target, creds, grpc.WithContextDialer(func(ctx context.Context, s string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "tcp", s)
	}))
}

// timeoutAlone has no effect without WithBlock and goes away.
func timeoutAlone() (*grpc.ClientConn, error) {
	return grpc.Dial("bufnet", creds, grpc.WithTimeout(5), grpc.FailOnNonTempDialError(true))
}

func localSlice(secure bool) (*grpc.ClientConn, error) {
	opts := []grpc.DialOption{creds}
	if secure {
		opts = append(opts, grpc.WithAuthority("x"))
	}
	return grpc.Dial("bufnet", opts...)
}

func inExpr() error {
	return use(grpc.Dial("bufnet", creds))
}

func use(c *grpc.ClientConn, err error) error {
	if err != nil {
		return err
	}
	return c.Close()
}
