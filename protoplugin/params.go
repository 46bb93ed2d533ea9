package protoplugin

import (
	"fmt"
	"strings"

	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
)

// Params are the plugin's parameters.
type Params struct {
	// Old and New are the generators to compare (repeatable old=GEN,
	// new=GEN). Defaults: golang/protobuf protoc-gen-go v1.3.5 with
	// plugins=grpc against the current protoc-gen-go and protoc-gen-go-grpc.
	Old, New []generate.Spec
	// Report selects the files written: "md", "json" or "both".
	Report string
	// FailOn makes generation fail: "breaking" on any breaking API change,
	// "used" on a breaking change the module uses, "never" (the default).
	// With breaking or used, a comparison that cannot run fails too.
	FailOn string
	// ModuleDir is the Go module whose uses of the generated API are
	// looked up (module_dir=DIR; default: the plugin's working directory,
	// which is where buf or protoc runs).
	ModuleDir string
	// Migrate adds a preview of what protolift would change in that
	// module, computed by the same pipeline as the CLI and written
	// nowhere: "go" (the Go stage, as `protolift go -d ./...`), "all"
	// (every stage, as `protolift -d ./...`) or "none" (the default).
	Migrate string
}

var paramKeys = []string{"old", "new", "report", "fail_on", "module_dir", "migrate"}

// ParseParams parses the plugin parameter string. buf and protoc join
// options with commas, and a GEN's own parameters contain commas too
// (old=…@v1.3.5:plugins=grpc,paths=source_relative), so a piece that does
// not start with one of our keys continues the previous GEN.
func ParseParams(s string) (Params, error) {
	p := Params{Report: "both", FailOn: "never", ModuleDir: ".", Migrate: "none"}
	var oldS, newS []string
	var last *[]string
	for _, piece := range strings.Split(s, ",") {
		if strings.TrimSpace(piece) == "" {
			continue
		}
		key, val, hasEq := strings.Cut(piece, "=")
		known := false
		for _, k := range paramKeys {
			if hasEq && key == k {
				known = true
			}
		}
		if !known {
			if last == nil || len(*last) == 0 {
				return p, fmt.Errorf("protoc-gen-protolift: unknown parameter %q (want old=GEN, new=GEN, report=md|json|both, fail_on=breaking|used|never, module_dir=DIR, migrate=none|go|all)", piece)
			}
			(*last)[len(*last)-1] += "," + piece
			continue
		}
		last = nil
		switch key {
		case "old":
			oldS = append(oldS, val)
			last = &oldS
		case "new":
			newS = append(newS, val)
			last = &newS
		case "report":
			if val != "md" && val != "json" && val != "both" {
				return p, fmt.Errorf("protoc-gen-protolift: report=%s: want md, json or both", val)
			}
			p.Report = val
		case "fail_on":
			if val != "breaking" && val != "used" && val != "never" {
				return p, fmt.Errorf("protoc-gen-protolift: fail_on=%s: want breaking, used or never", val)
			}
			p.FailOn = val
		case "module_dir":
			p.ModuleDir = val
		case "migrate":
			if val != "none" && val != "go" && val != "all" {
				return p, fmt.Errorf("protoc-gen-protolift: migrate=%s: want none, go or all", val)
			}
			p.Migrate = val
		}
	}
	for _, side := range []struct {
		list []string
		dst  *[]generate.Spec
		name string
	}{{oldS, &p.Old, "old"}, {newS, &p.New, "new"}} {
		for _, g := range side.list {
			sp, err := generate.ParseSpec(g)
			if err != nil {
				return p, fmt.Errorf("protoc-gen-protolift: %s=%s: %v", side.name, g, err)
			}
			*side.dst = append(*side.dst, sp)
		}
	}
	if len(p.Old) == 0 {
		p.Old = DefaultOld()
	}
	if len(p.New) == 0 {
		p.New = generate.Current()
	}
	return p, nil
}

// DefaultOld is the legacy generator most migrations start from.
func DefaultOld() []generate.Spec {
	return []generate.Spec{{Pkg: toolbin.LegacyGoPkg, Version: toolbin.LegacyGoV135, Params: "plugins=grpc"}}
}
