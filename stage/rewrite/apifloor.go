package rewrite

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// protobufModule is the module whose release floors apiFloors knows.
const protobufModule = "google.golang.org/protobuf"

// protobufPkgFloor is the first google.golang.org/protobuf release of a
// package the rules introduce, where it is later than v1.20.0 (the first
// APIv2 release). Checked against the module zips of v1.20.0–v1.32.0.
var protobufPkgFloor = map[string]string{
	"google.golang.org/protobuf/encoding/protowire": "v1.21.0",
	"google.golang.org/protobuf/protoadapt":         "v1.30.0",
}

// protobufHelperFloor is the release that added the well-known-type
// helpers (timestamppb.New, (*Timestamp).AsTime, anypb.UnmarshalTo, …):
// v1.25.0 (absent from v1.24.0).
const protobufHelperFloor = "v1.25.0"

var wktHelperPkgs = map[string]bool{
	"google.golang.org/protobuf/types/known/timestamppb": true,
	"google.golang.org/protobuf/types/known/durationpb":  true,
	"google.golang.org/protobuf/types/known/anypb":       true,
}

// wktHelpers are the helper functions and methods of those packages.
var wktHelpers = map[string]bool{
	"New": true, "Now": true, "AsTime": true, "AsDuration": true, "CheckValid": true, "IsValid": true,
	"MarshalFrom": true, "UnmarshalTo": true, "UnmarshalNew": true, "MessageIs": true, "MessageName": true,
}

// protobufFloor returns the lowest google.golang.org/protobuf release
// that has every APIv2 package and helper the rewritten file uses and the
// original did not ("" when it introduces none). The rules record the
// API floor of what they write; this is the finer, per-file answer the
// mod stage needs to keep a module's go directive: a file using only
// proto.Marshal and protojson needs v1.20.0, not the newest release.
func protobufFloor(oldSrc, newSrc []byte) string {
	fset := token.NewFileSet()
	nf, err := parser.ParseFile(fset, "", newSrc, parser.SkipObjectResolution)
	if err != nil {
		return ""
	}
	of, _ := parser.ParseFile(fset, "", oldSrc, parser.SkipObjectResolution)
	floor := ""
	raise := func(v string) {
		if floor == "" || semver.Compare(v, floor) > 0 {
			floor = v
		}
	}
	helpers := false
	for _, imp := range nf.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != protobufModule && !strings.HasPrefix(p, protobufModule+"/") {
			continue
		}
		raise("v1.20.0")
		if v, ok := protobufPkgFloor[p]; ok {
			raise(v)
		}
		if wktHelperPkgs[p] {
			helpers = true
		}
	}
	if helpers && selectorCount(nf, wktHelpers) > selectorCount(of, wktHelpers) {
		raise(protobufHelperFloor)
	}
	return floor
}

// selectorCount counts selectors x.Name with Name in names.
func selectorCount(f *ast.File, names map[string]bool) int {
	if f == nil {
		return 0
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		if s, ok := node.(*ast.SelectorExpr); ok && names[s.Sel.Name] {
			n++
		}
		return true
	})
	return n
}
