package grpcdial

import (
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/rule"
)

// The helpers the dial rule calls instead of repeating a scheme test or a
// connect loop at every call site; the engine writes each once per
// package (protolift_helpers.go).

const dialTargetDecl = `// dialTarget returns target with the resolver grpc.Dial chose for it:
// unchanged when its URL scheme names a registered resolver, else
// prefixed with the default scheme ("passthrough", unless the program
// calls resolver.SetDefaultScheme), where grpc.NewClient would pick
// "dns". Where a target is always a host:port, "passthrough:///"+target
// says the same without this helper.
func dialTarget(target string) string {
	if u, err := url.Parse(target); err == nil && resolver.Get(u.Scheme) != nil {
		return target
	}
	return resolver.GetDefaultScheme() + ":///" + target
}`

const waitDecl = `// newClientAndWait is grpc.NewClient plus the wait a blocking
// grpc.Dial/DialContext (WithBlock) made: it connects at once and returns
// when the connection is READY, or closes it and returns ctx.Err() when
// ctx is done first, as DialContext did. Where nothing needs the
// connection up front, call grpc.NewClient instead: RPCs wait for it.
func newClientAndWait(ctx context.Context, target string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, err
	}
	for state := conn.GetState(); state != connectivity.Ready; state = conn.GetState() {
		if state == connectivity.Idle {
			conn.Connect()
		}
		if !conn.WaitForStateChange(ctx, state) {
			conn.Close()
			return nil, ctx.Err()
		}
	}
	return conn, nil
}`

const waitTimeoutDecl = `// newClientAndWaitTimeout is newClientAndWait bounded by timeout too, as
// grpc.WithTimeout bounded a blocking dial (a timeout <= 0 adds no bound,
// as with WithTimeout).
func newClientAndWaitTimeout(ctx context.Context, timeout time.Duration, target string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return newClientAndWait(ctx, target, opts...)
}`

var (
	dialTargetHelper = &rule.Helper{Name: "dialTarget", Decl: dialTargetDecl,
		Imports: []string{"net/url", "google.golang.org/grpc/resolver"}, Requires: map[string]string{grpcModule: minNewClient}}
	waitHelper = &rule.Helper{Name: "newClientAndWait", Decl: waitDecl,
		Imports: []string{"context", grpcPath, "google.golang.org/grpc/connectivity"}, Requires: map[string]string{grpcModule: minNewClient}}
)

// canHelp reports whether the engine places helpers, so a blocking dial
// can become one call of newClientAndWait. FailOnNonTempDialError(true)
// (rare) keeps the inline wait, which fails on TRANSIENT_FAILURE.
func (r *dialRun) canHelp(pl *dialPlan) bool {
	_, ok := r.p.Sink.(rule.HelperSink)
	return ok && !pl.failFast
}

// helperCall turns a blocking dial's call into
// newClientAndWait(ctx, target, opts...) or
// newClientAndWaitTimeout(ctx, timeout, target, opts...); the call's
// target and options are already NewClient's.
func (r *dialRun) helperCall(pl *dialPlan) bool {
	wait := r.p.Helper(waitHelper)
	if wait == "" {
		return false
	}
	name := wait
	if pl.timeout != nil {
		name = r.p.Helper(&rule.Helper{
			Name:     "newClientAndWaitTimeout",
			Decl:     strings.ReplaceAll(waitTimeoutDecl, "newClientAndWait(", wait+"("),
			Imports:  []string{"context", "time", grpcPath},
			Requires: map[string]string{grpcModule: minNewClient},
		})
		if name == "" {
			return false
		}
	}
	call := pl.call
	// DialContext's context stays the first argument; Dial waited
	// without a bound.
	var lead, rest []dst.Expr
	if pl.isCtx {
		lead, rest = []dst.Expr{call.Args[0]}, call.Args[1:]
	} else {
		lead, rest = []dst.Expr{rule.Call(rule.QualifiedIdent("context", "Background"))}, call.Args
	}
	if pl.timeout != nil {
		lead = append(lead, rule.Clone(pl.timeout))
	}
	call.Args = append(append([]dst.Expr(nil), lead...), rest...)
	call.Fun = dst.NewIdent(name)
	return true
}
