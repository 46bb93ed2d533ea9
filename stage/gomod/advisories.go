package gomod

import (
	"fmt"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/change"
)

// advisory is one entry of the Go vulnerability database (spec F.2)
// affecting a module protolift manages.
type advisory struct {
	id, module, summary string
	// affected reports whether a version is affected; fixed names the
	// versions that fix it, for the message.
	affected func(v string) bool
	fixed    string
}

func lt(v, w string) bool { return semver.Compare(v, w) < 0 }

func inRange(v, lo, hi string) bool { return semver.Compare(v, lo) >= 0 && semver.Compare(v, hi) < 0 }

var advisories = []advisory{
	{"GO-2023-2153", "google.golang.org/grpc", "HTTP/2 rapid reset lets clients exceed MaxConcurrentStreams (DoS)",
		func(v string) bool {
			return lt(v, "v1.56.3") || semver.Compare(v, "v1.57.0") == 0 || inRange(v, "v1.58.0", "v1.58.3")
		}, "v1.56.3, v1.57.1, v1.58.3"},
	{"GO-2024-2978", "google.golang.org/grpc", "metadata.MD.String prints all metadata, including tokens",
		func(v string) bool { return semver.Compare(v, "v1.64.0") == 0 }, "v1.64.1"},
	{"GO-2026-4762", "google.golang.org/grpc", "authorization bypass with a :path without leading slash",
		func(v string) bool { return lt(v, "v1.79.3") }, "v1.79.3"},
	{"GO-2026-6061", "google.golang.org/grpc", "xDS RBAC engine and HTTP/2 server transport vulnerabilities",
		func(v string) bool { return lt(v, "v1.82.1") }, "v1.82.1"},
	{"GO-2024-2611", "google.golang.org/protobuf", "protojson.Unmarshal loops forever on some invalid JSON",
		func(v string) bool { return lt(v, "v1.33.0") }, "v1.33.0"},
	{"GO-2023-1631", "google.golang.org/protobuf", "prototext.Unmarshal panics on some invalid input",
		func(v string) bool { return semver.Compare(v, "v1.29.0") == 0 }, "v1.29.1"},
	{"GO-2023-2102", "golang.org/x/net", "HTTP/2 rapid reset in the http2 server (DoS)",
		func(v string) bool { return lt(v, "v0.17.0") }, "v0.17.0"},
}

// Advisories reports every known advisory affecting a version go.mod
// requires, at the line of that requirement.
func Advisories(path string, content []byte, f *modfile.File) []change.Diagnostic {
	var out []change.Diagnostic
	for _, r := range f.Require {
		for _, a := range advisories {
			if r.Mod.Path != a.module || !a.affected(r.Mod.Version) {
				continue
			}
			pos := change.Position{Line: r.Syntax.Start.Line, Col: r.Syntax.Start.LineRune, Offset: r.Syntax.Start.Byte}
			out = append(out, change.Diagnostic{
				Path: path, Start: pos, End: pos, Rule: AdvisoryRule, Risk: change.Manual,
				Message: fmt.Sprintf("%s %s is affected by %s (%s); fixed in %s", r.Mod.Path, r.Mod.Version, a.id, a.summary, a.fixed),
			})
		}
	}
	return out
}
