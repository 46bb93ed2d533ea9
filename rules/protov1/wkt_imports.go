package protov1

import (
	"strconv"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// WKTImports moves references to golang/protobuf's well-known-type,
// descriptor and plugin packages, and to genproto's protobuf packages, to
// their google.golang.org/protobuf homes (spec B, A.5). Since golang/protobuf
// v1.4 the old packages only hold type aliases of the new ones, so values
// are interchangeable and only the import path and qualifier change: the
// rewrite is safe. The old `ptypes/any` package was named `any`, which
// shadowed Go's predeclared any; its replacement is `anypb`. An alias the
// file gave the old import is kept for the new one. Blank imports move
// too. The descriptor package's own file descriptor variable has no alias
// (it describes a different file) and is reported.
var WKTImports = &rule.Rule{
	Name:    "protov1.wkt.imports",
	Doc:     "well-known-type, descriptor and plugin packages of golang/protobuf and genproto → google.golang.org/protobuf/types/...",
	Risk:    change.Safe,
	Imports: wktImportList(),
	Run:     runWKTImports,
}

var wktMoves = map[string]string{
	"github.com/golang/protobuf/ptypes/any":               "google.golang.org/protobuf/types/known/anypb",
	"github.com/golang/protobuf/ptypes/duration":          "google.golang.org/protobuf/types/known/durationpb",
	"github.com/golang/protobuf/ptypes/timestamp":         "google.golang.org/protobuf/types/known/timestamppb",
	"github.com/golang/protobuf/ptypes/empty":             "google.golang.org/protobuf/types/known/emptypb",
	"github.com/golang/protobuf/ptypes/struct":            "google.golang.org/protobuf/types/known/structpb",
	"github.com/golang/protobuf/ptypes/wrappers":          "google.golang.org/protobuf/types/known/wrapperspb",
	"github.com/golang/protobuf/protoc-gen-go/descriptor": "google.golang.org/protobuf/types/descriptorpb",
	"github.com/golang/protobuf/protoc-gen-go/plugin":     "google.golang.org/protobuf/types/pluginpb",
	"google.golang.org/genproto/protobuf/field_mask":      "google.golang.org/protobuf/types/known/fieldmaskpb",
	"google.golang.org/genproto/protobuf/api":             "google.golang.org/protobuf/types/known/apipb",
	"google.golang.org/genproto/protobuf/ptype":           "google.golang.org/protobuf/types/known/typepb",
	"google.golang.org/genproto/protobuf/source_context":  "google.golang.org/protobuf/types/known/sourcecontextpb",
}

// wktOldNames are the package names of the old packages.
var wktOldNames = map[string]string{
	"github.com/golang/protobuf/ptypes/any":               "any",
	"github.com/golang/protobuf/ptypes/duration":          "duration",
	"github.com/golang/protobuf/ptypes/timestamp":         "timestamp",
	"github.com/golang/protobuf/ptypes/empty":             "empty",
	"github.com/golang/protobuf/ptypes/struct":            "structpb",
	"github.com/golang/protobuf/ptypes/wrappers":          "wrappers",
	"github.com/golang/protobuf/protoc-gen-go/descriptor": "descriptor",
	"github.com/golang/protobuf/protoc-gen-go/plugin":     "plugin_go",
	"google.golang.org/genproto/protobuf/field_mask":      "field_mask",
	"google.golang.org/genproto/protobuf/api":             "api",
	"google.golang.org/genproto/protobuf/ptype":           "ptype",
	"google.golang.org/genproto/protobuf/source_context":  "source_context",
}

func wktImportList() []string {
	var out []string
	for k := range wktMoves {
		out = append(out, k)
	}
	return out
}

// wktUnaliased are exported names of old packages that are not aliases of
// a same-named identifier in the new package.
var wktUnaliased = map[string]bool{
	"File_github_com_golang_protobuf_protoc_gen_go_descriptor_descriptor_proto": true,
	"File_github_com_golang_protobuf_protoc_gen_go_plugin_plugin_proto":         true,
	"File_github_com_golang_protobuf_ptypes_any_any_proto":                      true,
}

func runWKTImports(p *rule.Pass) {
	for _, is := range p.File.Imports {
		old, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			continue
		}
		to, ok := wktMoves[old]
		if !ok || is.Name == nil {
			continue
		}
		switch is.Name.Name {
		case "_":
			p.Changed(is, change.Safe, "blank import of "+old+" → "+to)
			is.Path.Value = strconv.Quote(to)
		case ".":
			// References are rewritten below; the new import is a plain one.
		case wktOldNames[old]:
			// A redundant alias (the old package's own name): the new
			// package's name reads better than carrying it over.
		default:
			p.Sink.Alias(to, is.Name.Name)
		}
	}
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil)}, func(n dst.Node) bool {
		id, ok := n.(*dst.Ident)
		if !ok {
			return true
		}
		to, ok := wktMoves[id.Path]
		if !ok || p.QualifiedObjectOf(id) == nil {
			return true
		}
		if wktUnaliased[id.Name] {
			p.Report(id, change.Manual, id.Name+" has no alias in "+to+": it describes golang/protobuf's copy of the file; use the new package's File_* variable for the original .proto instead", "")
			return true
		}
		p.Changed(id, change.Safe, id.Path+" → "+to)
		id.Path = to
		p.Require(protobufModule, minProtobuf)
		return true
	})
}
