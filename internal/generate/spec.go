// Package generate compiles .proto files in process into one
// CodeGeneratorRequest and runs protoc plugins on it: protobuf-go's
// protoc-gen-go in process at the version this module pins, every other
// generator as a binary built once by internal/toolbin.
package generate

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/protolift/protolift/internal/toolbin"
)

// Spec names one generator run: a Go command at a version, or a binary on
// disk, plus the parameter string the plugin receives.
//
// Written as `module-pkg@version[:params]` or `/path/to/binary[:params]`.
type Spec struct {
	Pkg     string // Go package path of the command; empty when Binary is set
	Version string // semantic version of Pkg
	Binary  string // path of a plugin executable; empty when Pkg is set
	Params  string // plugin parameter, e.g. "plugins=grpc,paths=source_relative"
}

// ParseSpec parses one GEN.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Spec{}, fmt.Errorf("empty generator: want module/cmd@version[:params] or /path/to/plugin[:params]")
	}
	head, params := s, ""
	if i := specColon(s); i >= 0 {
		head, params = s[:i], s[i+1:]
	}
	var sp Spec
	if at := strings.LastIndex(head, "@"); at >= 0 {
		sp = Spec{Pkg: head[:at], Version: head[at+1:], Params: params}
	} else {
		sp = Spec{Binary: head, Params: params}
	}
	return sp, sp.Validate()
}

// specColon finds the colon that starts the parameters, skipping a Windows
// drive letter ("C:\...").
func specColon(s string) int {
	start := 0
	if len(s) >= 2 && s[1] == ':' && filepath.VolumeName(s[:2]) != "" {
		start = 2
	}
	i := strings.Index(s[start:], ":")
	if i < 0 {
		return -1
	}
	return start + i
}

// ParseSpecs parses a comma-separated list of GENs. Parameters may contain
// commas themselves ("plugins=grpc,paths=source_relative"): a piece whose
// first '=' comes before any '@' or path separator (and that is not a
// protoc-gen-* command name) continues the previous GEN's parameters.
func ParseSpecs(list string) ([]Spec, error) {
	var raw []string
	for _, piece := range strings.Split(list, ",") {
		if len(raw) > 0 && isParamPiece(piece) {
			raw[len(raw)-1] += "," + piece
			continue
		}
		raw = append(raw, piece)
	}
	var specs []Spec
	for _, r := range raw {
		sp, err := ParseSpec(r)
		if err != nil {
			return nil, err
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

func isParamPiece(piece string) bool {
	if strings.HasPrefix(strings.TrimSpace(piece), "protoc-gen-") {
		return false // a plugin found on $PATH
	}
	eq := strings.Index(piece, "=")
	if eq < 0 {
		// A bare flag such as "paths" is a parameter only if it cannot be
		// a generator: generators need '@' or a path separator.
		return !strings.ContainsAny(piece, "@/\\")
	}
	other := strings.IndexAny(piece, "@/\\")
	return other < 0 || eq < other
}

// Validate reports a malformed spec with the fix.
func (s Spec) Validate() error {
	switch {
	case s.Pkg == "" && s.Binary == "":
		return fmt.Errorf("generator %q: give module/cmd@version or a path to a plugin binary", s.String())
	case s.Pkg != "" && s.Binary != "":
		return fmt.Errorf("generator %q: give either a package with a version or a binary path, not both", s.String())
	case s.Pkg != "":
		if err := module.CheckImportPath(s.Pkg); err != nil {
			return fmt.Errorf("generator %q: bad package path: %v", s.String(), err)
		}
		if !semver.IsValid(s.Version) || s.Version != semver.Canonical(s.Version) && semver.Build(s.Version) == "" {
			return fmt.Errorf("generator %q: bad version %q: want a full semantic version such as %s", s.String(), s.Version, toolbin.GoGRPCVersion)
		}
		if s.Pkg == toolbin.GoPkg && hasParam(s.Params, "plugins") {
			return fmt.Errorf("generator %q: google.golang.org/protobuf's protoc-gen-go rejects plugins=; generate gRPC code with %s@%s", s.String(), toolbin.GoGRPCPkg, toolbin.GoGRPCVersion)
		}
	}
	return nil
}

func hasParam(params, key string) bool {
	for _, p := range strings.Split(params, ",") {
		k, _, _ := strings.Cut(p, "=")
		if strings.TrimSpace(k) == key {
			return true
		}
	}
	return false
}

// String prints the spec in the form ParseSpec reads.
func (s Spec) String() string {
	head := s.Binary
	if s.Pkg != "" {
		head = s.Pkg + "@" + s.Version
	}
	if s.Params != "" {
		return head + ":" + s.Params
	}
	return head
}

// Name is the plugin's command name, e.g. "protoc-gen-go-grpc".
func (s Spec) Name() string {
	if s.Pkg != "" {
		return path.Base(s.Pkg)
	}
	return strings.TrimSuffix(filepath.Base(s.Binary), ".exe")
}

// InProcess reports whether Run executes the generator inside this
// process: only protobuf-go's protoc-gen-go at the version linked in.
func (s Spec) InProcess() bool {
	return s.Pkg == toolbin.GoPkg && s.Version == toolbin.GoVersion
}

// Current returns the generators protolift migrates to:
// protoc-gen-go (in process) and protoc-gen-go-grpc at the pinned version.
func Current() []Spec {
	return []Spec{
		{Pkg: toolbin.GoPkg, Version: toolbin.GoVersion},
		{Pkg: toolbin.GoGRPCPkg, Version: toolbin.GoGRPCVersion},
	}
}
