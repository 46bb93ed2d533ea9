package gomod

import (
	"fmt"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
)

// behaviour lists behaviour changes that come without an API deprecation
// (grpc-go: spec C.9), by module and the release that made them.
var behaviour = []struct{ module, since, change string }{
	// A raise across v1.4.0 is what a migration to APIv2 does whenever
	// regenerated code or rewritten calls need google.golang.org/protobuf:
	// the code left on golang/protobuf changes too, and tests notice.
	{golangProtobuf, "v1.4.0", "golang/protobuf is implemented on google.golang.org/protobuf: every message holds internal state, so reflect.DeepEqual (and == on values) no longer compares message contents (use proto.Equal, or cmp with protocmp.Transform()) and copying a message value is unsafe (go vet copylocks; copy with proto.Clone); the old plugin, descriptor and well-known-type packages alias the APIv2 types; Unmarshal and jsonpb errors have new texts; text and JSON output vary their whitespace"},
	{grpcModule, "v1.59.0", "channels enter IDLE after 30 minutes without RPCs by default (grpc.WithIdleTimeout changes it)"},
	{grpcModule, "v1.67.0", "client TLS requires the server to negotiate ALPN (GRPC_ENFORCE_ALPN_ENABLED=false restores the old behaviour)"},
	{grpcModule, "v1.69.0", "balancer.SubConn implementations must embed the interface"},
	{grpcModule, "v1.71.0", "grpc.Dial/DialContext resolve host names locally even through an HTTP CONNECT proxy (implicit WithLocalDNSResolution; grpc.NewClient sends the name to the proxy); balancer.ClientConn implementations must embed the interface"},
	{grpcModule, "v1.74.0", "balancer.Balancer requires ExitIdle()"},
}

// behaviourChanges reports, at each module's requirement, the
// documented behaviour changes between the version go.mod had and the
// one it gets.
func behaviourChanges(gomodPath string, old, new *modfile.File) []change.Diagnostic {
	var out []change.Diagnostic
	for _, b := range behaviour {
		from, to := current(old, b.module), current(new, b.module)
		if from == "" || to == "" || semver.Compare(to, from) <= 0 {
			continue
		}
		if semver.Compare(from, b.since) < 0 && semver.Compare(to, b.since) >= 0 {
			out = append(out, requireDiag(gomodPath, old, b.module, change.Diagnostic{Rule: BehaviourRule, Risk: change.Review,
				Message: fmt.Sprintf("%s %s → %s changes behaviour: since %s, %s", b.module, from, to, semver.MajorMinor(b.since), b.change)}))
		}
	}
	return out
}

const (
	grpcModule     = "google.golang.org/grpc"
	protobufModule = "google.golang.org/protobuf"
)

// v2Floor is the google.golang.org/protobuf version golang/protobuf
// releases require (their go.mod files): a go.mod that does not name
// google.golang.org/protobuf still builds with at least this one.
var v2Floor = []struct{ v1, v2 string }{
	{"v1.5.4", "v1.33.0"},
	{"v1.5.1", "v1.26.0"},
	{"v1.5.0", "v1.26.0-rc.1"},
	{"v1.4.2", "v1.23.0"},
	{"v1.4.1", "v1.22.0"},
	{"v1.4.0", "v1.21.0"},
}

// effective returns the version of module the build of mf uses at least:
// go.mod's requirement, and for google.golang.org/protobuf the floor
// golang/protobuf's requirement implies.
func effective(mf *modfile.File, module string) string {
	v := current(mf, module)
	if module != protobufModule {
		return v
	}
	if v1 := current(mf, golangProtobuf); v1 != "" {
		for _, f := range v2Floor {
			if semver.Compare(v1, f.v1) >= 0 {
				if v == "" || semver.Compare(f.v2, v) > 0 {
					v = f.v2
				}
				break
			}
		}
	}
	return v
}

// RaisedAcross reports whether the go.mod oldMod → newMod raises module
// from below since (google.golang.org/protobuf also from absent) to since
// or later; newMod nil means go.mod does not change. golang/protobuf
// dropped for google.golang.org/protobuf counts as raised to v1.5.4. Findings that a raise alone makes true (the
// protov1.raise.behaviour sites) hold only when it does.
func RaisedAcross(oldMod, newMod []byte, module, since string) bool {
	if newMod == nil {
		return false
	}
	of, err := modfile.ParseLax("go.mod", oldMod, nil)
	if err != nil {
		return false
	}
	nf, err := modfile.ParseLax("go.mod", newMod, nil)
	if err != nil {
		return false
	}
	from, to := effective(of, module), effective(nf, module)
	if module == golangProtobuf && to == "" && current(nf, protobufModule) != "" {
		// The run moved the module off golang/protobuf altogether: what
		// v1 did is APIv2's job now, as if golang/protobuf were raised
		// as far as it goes.
		to = golangProtobufFloor
	}
	if from == "" && module != protobufModule {
		// A module go.mod did not name is not raised: it is added (only
		// google.golang.org/protobuf's absence means "older than any",
		// since golang/protobuf v1.3 did not need it).
		return false
	}
	return to != "" && semver.Compare(to, since) >= 0 && (from == "" || semver.Compare(from, since) < 0)
}
