package gomod

import (
	"fmt"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
)

// grpcBehaviour lists grpc-go behaviour changes that come without an API
// deprecation (spec C.9), by the release that made them.
var grpcBehaviour = []struct{ since, change string }{
	{"v1.59.0", "channels enter IDLE after 30 minutes without RPCs by default (grpc.WithIdleTimeout changes it)"},
	{"v1.67.0", "client TLS requires the server to negotiate ALPN (GRPC_ENFORCE_ALPN_ENABLED=false restores the old behaviour)"},
	{"v1.69.0", "balancer.SubConn implementations must embed the interface"},
	{"v1.71.0", "grpc.Dial/DialContext resolve host names locally even through an HTTP CONNECT proxy (implicit WithLocalDNSResolution; grpc.NewClient sends the name to the proxy); balancer.ClientConn implementations must embed the interface"},
	{"v1.74.0", "balancer.Balancer requires ExitIdle()"},
}

// behaviourChanges reports, at the grpc requirement, the documented
// behaviour changes between the version go.mod had and the one it gets.
func behaviourChanges(gomodPath string, old, new *modfile.File) []change.Diagnostic {
	from, to := current(old, grpcModule), current(new, grpcModule)
	if from == "" || to == "" || semver.Compare(to, from) <= 0 {
		return nil
	}
	var out []change.Diagnostic
	for _, b := range grpcBehaviour {
		if semver.Compare(from, b.since) < 0 && semver.Compare(to, b.since) >= 0 {
			out = append(out, requireDiag(gomodPath, old, grpcModule, change.Diagnostic{Rule: BehaviourRule, Risk: change.Review,
				Message: fmt.Sprintf("%s %s → %s changes behaviour: since %s, %s", grpcModule, from, to, semver.MajorMinor(b.since), b.change)}))
		}
	}
	return out
}

const grpcModule = "google.golang.org/grpc"
