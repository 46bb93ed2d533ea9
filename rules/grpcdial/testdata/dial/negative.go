package dial

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
)

var sharedOpts = []grpc.DialOption{creds}

func fromParam(addr string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.Dial(addr, opts...) // want "slice opts built outside this function"
}

func fromPackage(addr string) (*grpc.ClientConn, error) {
	return grpc.Dial(addr, sharedOpts...) // want "slice sharedOpts built outside this function"
}

func ownHelper() grpc.DialOption { return grpc.WithBlock() }

func viaHelper() (*grpc.ClientConn, error) {
	return grpc.Dial("bufnet", ownHelper()) // want "ownHelper\(\) is built by this module's own code"
}

func conditionalBlock(wait bool) (*grpc.ClientConn, error) {
	opts := []grpc.DialOption{creds}
	if wait {
		opts = append(opts, grpc.WithBlock())
	}
	return grpc.Dial("bufnet", opts...) // want "blocking option is added on some paths only"
}

func methodValue() {
	f := grpc.Dial // want "used as a function value"
	_ = f
}

func sideEffectCtx() (*grpc.ClientConn, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return grpc.DialContext(withValue(ctx), "bufnet", creds) // want "context argument is an expression with possible side effects"
}

func withValue(ctx context.Context) context.Context { return context.WithValue(ctx, key{}, 1) }

type key struct{}

// localGrpc is a local variable named like the package: not a dial.
func localGrpc() {
	grpc := struct{ Dial func(string) error }{Dial: func(string) error { return nil }}
	_ = grpc.Dial("bufnet")
}

func withResolvers(target string, b resolver.Builder) (*grpc.ClientConn, error) {
	return grpc.Dial(target, creds, grpc.WithResolvers(b)) // want "WithResolvers registers schemes only this dial knows"
}
