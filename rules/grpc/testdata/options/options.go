package options

import (
	"context"
	"time"

	"google.golang.org/grpc"
)

func client(ctx context.Context, slow bool, limit int) (*grpc.ClientConn, error) {
	return grpc.NewClient("dns:///svc",
		grpc.WithMaxMsgSize(limit), // receive limit
		grpc.WithBackoffMaxDelay(5*time.Second),
		// Shared buffers were opt-in.
		grpc.WithSharedWriteBuffer(true),
		grpc.WithDefaultCallOptions(grpc.FailFast(!slow), grpc.FailFast(false)),
	)
}

func configs(bc grpc.BackoffConfig) []grpc.DialOption { // want "BackoffConfig is deprecated"
	return []grpc.DialOption{
		grpc.WithBackoffConfig(grpc.DefaultBackoffConfig),
		grpc.WithBackoffConfig(grpc.BackoffConfig{MaxDelay: time.Minute}),
		grpc.WithBackoffConfig(bc),
		grpc.WithSharedWriteBuffer(false) /* gone */, grpc.WithUserAgent("x"),
	}
}

func sideEffects(get func() grpc.BackoffConfig, on func() bool) []grpc.DialOption { // want "BackoffConfig is deprecated"
	return []grpc.DialOption{
		grpc.WithBackoffConfig(get()),    // want "side effects"
		grpc.WithSharedWriteBuffer(on()), // want "side effects"
	}
}

func conflict() (*grpc.ClientConn, error) {
	return grpc.NewClient("dns:///svc",
		grpc.WithConnectParams(grpc.ConnectParams{MinConnectTimeout: time.Second}),
		grpc.WithBackoffMaxDelay(time.Second), // want "next to grpc.WithConnectParams"
	)
}

func call(ctx context.Context, cc *grpc.ClientConn, a, b bool) error {
	return cc.Invoke(ctx, "/s/m", nil, nil, grpc.FailFast(a && b), grpc.FailFast(true))
}

func server() *grpc.Server {
	opt := grpc.SharedWriteBuffer(true)
	opts := append([]grpc.ServerOption{}, grpc.SharedWriteBuffer(true))
	opts = append(opts, opt, grpc.MaxMsgSize(1<<20))
	return grpc.NewServer(opts...)
}

var (
	recv     = grpc.MaxMsgSize
	failFast = grpc.FailFast             // want "function value"
	_        = grpc.DefaultBackoffConfig // want "DefaultBackoffConfig is deprecated"
)

// Deleting would change these lists, so the no-op option stays in place.
func lists() []any {
	fmt := func(args ...any) []any { return args }
	var dial grpc.DialOption = grpc.WithSharedWriteBuffer(true)
	one := grpc.WithSharedWriteBuffer(true) /* one */
	one = dial
	return fmt(grpc.WithSharedWriteBuffer(true), []any{grpc.WithSharedWriteBuffer(false)}, one,
		[1]grpc.DialOption{grpc.WithSharedWriteBuffer(true)})
}

func only() *grpc.Server {
	return grpc.NewServer(grpc.SharedWriteBuffer(true) /* only */)
}

type bufCfg struct{ On bool }

// asserted: a field read through a type assertion has no side effect, in
// this rule as in every other (rule.Pass.SideEffectFree).
func asserted(x interface{}) []grpc.DialOption {
	return []grpc.DialOption{grpc.WithSharedWriteBuffer(x.(bufCfg).On), grpc.WithUserAgent("x")}
}
