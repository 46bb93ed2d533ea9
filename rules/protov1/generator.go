package protov1

import (
	"go/types"
	"strconv"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Generator reports every use of golang/protobuf's plugin-writing
// packages protoc-gen-go/generator and protoc-gen-go/grpc (spec A.6). It
// rewrites nothing: the generator API (a mutable Generator, descriptor
// wrappers, plugins registered into protoc-gen-go) has no one-to-one
// counterpart, so a plugin has to be restructured around
// google.golang.org/protobuf/compiler/protogen, and the plugins=grpc
// generator is replaced by a separate tool, protoc-gen-go-grpc. Each
// diagnostic (risk "manual") names the protogen concept that takes the
// identifier's place. Blank imports are reported too: they registered a
// plugin.
var Generator = &rule.Rule{
	Name:    "protov1.generator",
	Doc:     "report protoc-gen-go/generator and protoc-gen-go/grpc uses with the protogen / protoc-gen-go-grpc replacement",
	Risk:    change.Manual,
	Imports: []string{v1Generator, v1GrpcPlugin},
	Run:     runGenerator,
}

const (
	v1Generator  = "github.com/golang/protobuf/protoc-gen-go/generator"
	v1GrpcPlugin = "github.com/golang/protobuf/protoc-gen-go/grpc"
)

const protogenMap = "protogen.Options{}.Run(func(gen *protogen.Plugin) error { for _, f := range gen.Files { if f.Generate { g := gen.NewGeneratedFile(f.GeneratedFilenamePrefix+\".x.go\", f.GoImportPath); g.P(...) } }; return nil }); " +
	"Generator → *protogen.Plugin, Generator.P → (*protogen.GeneratedFile).P, FileDescriptor/Descriptor/EnumDescriptor/ExtensionDescriptor → protogen.File/Message/Enum/Extension (GoName, GoIdent), " +
	"TypeName/ObjectNamed/AddImport → g.QualifiedGoIdent(x.GoIdent), GoImportPath/GoPackageName → protogen.GoImportPath/GoPackageName, CamelCase → the precomputed GoName"

// generatorAdvice is the protogen replacement of each generator export.
var generatorAdvice = map[string]string{
	"New":                       "protogen.Options{}.Run reads the CodeGeneratorRequest and writes the response",
	"Generator":                 "*protogen.Plugin: the request's files are gen.Files, outputs are gen.NewGeneratedFile(name, importPath)",
	"P":                         "(*protogen.GeneratedFile).P",
	"In":                        "protogen.Options.Run reads the request from stdin",
	"Out":                       "protogen.Options.Run writes the response to stdout",
	"Request":                   "gen.Request (*pluginpb.CodeGeneratorRequest)",
	"Response":                  "gen.Response() builds the response; protogen.Options.Run sends it",
	"Fail":                      "return an error from the protogen.Options.Run callback",
	"Error":                     "gen.Error(err), or return an error from the Run callback",
	"GenerateAllFiles":          "loop over gen.Files and generate the ones with f.Generate",
	"AddImport":                 "g.QualifiedGoIdent(ident) adds imports as identifiers are used; g.Import(path) forces one",
	"TypeName":                  "g.QualifiedGoIdent(m.GoIdent)",
	"GoType":                    "protogen.Field's Message/Enum GoIdent and Desc.Kind()",
	"ObjectNamed":               "the protogen.Message/Enum reached from the protogen.Field (field.Message, field.Enum)",
	"Plugin":                    "none: plugins no longer run inside protoc-gen-go; write a standalone protoc-gen-X with protogen",
	"RegisterPlugin":            "none: plugins no longer run inside protoc-gen-go; write a standalone protoc-gen-X with protogen",
	"FileDescriptor":            "*protogen.File",
	"Descriptor":                "*protogen.Message",
	"EnumDescriptor":            "*protogen.Enum",
	"ExtensionDescriptor":       "*protogen.Extension",
	"ImportedDescriptor":        "protogen.GoIdent (with its GoImportPath)",
	"Object":                    "protogen.GoIdent",
	"GoImportPath":              "protogen.GoImportPath",
	"GoPackageName":             "protogen.GoPackageName",
	"CamelCase":                 "no exported replacement: protogen precomputes GoName on messages, fields, enums and values",
	"CamelCaseSlice":            "no exported replacement: protogen precomputes GoName on messages, fields, enums and values",
	"Annotate":                  "(*protogen.GeneratedFile).Annotate / protogen.Annotation",
	"AnnotatedAtoms":            "(*protogen.GeneratedFile).Annotate / protogen.Annotation",
	"RegisterUniquePackageName": "none: protogen assigns Go package names (f.GoPackageName)",
}

const grpcPluginAdvice = "generate service code with protoc-gen-go-grpc (--go-grpc_out=…, file <name>_grpc.pb.go) instead of protoc-gen-go's plugins=grpc; see spec D for the API differences"

func runGenerator(p *rule.Pass) {
	// protov1.generator.camelcase, which runs first, may have replaced
	// every use of the generator package: the import then goes, and there
	// is no plugin to rebuild.
	used := false
	for id := range rule.Nodes[*dst.Ident](p.Inspector()) {
		if o := p.ObjectOf(id); o != nil && o.Pkg() != nil && o.Pkg().Path() == v1Generator {
			used = true
			break
		}
	}
	for _, is := range p.AstFile.Imports {
		path, _ := strconv.Unquote(is.Path.Value)
		switch path {
		case v1Generator:
			if !used && (is.Name == nil || is.Name.Name != "_") {
				continue
			}
			p.ReportAst(is, change.Manual, "github.com/golang/protobuf/protoc-gen-go/generator is deprecated and outside the compatibility guarantee: rebuild the plugin on google.golang.org/protobuf/compiler/protogen", protogenMap)
		case v1GrpcPlugin:
			p.ReportAst(is, change.Manual, "github.com/golang/protobuf/protoc-gen-go/grpc (plugins=grpc) is deprecated (\"Do not use\")", grpcPluginAdvice)
		}
	}
	p.Inspector().Inspect([]dst.Node{(*dst.Ident)(nil)}, func(n dst.Node) bool {
		id, ok := n.(*dst.Ident)
		if !ok {
			return true
		}
		o := p.ObjectOf(id)
		if o == nil || o.Pkg() == nil {
			return true
		}
		switch o.Pkg().Path() {
		case v1Generator:
			what := "generator." + o.Name()
			if f, ok := o.(*types.Func); ok {
				if sig, _ := f.Type().(*types.Signature); sig != nil && sig.Recv() != nil {
					what = "generator method " + o.Name()
				}
			} else if v, ok := o.(*types.Var); ok && v.IsField() {
				what = "generator field " + o.Name()
			}
			advice, known := generatorAdvice[o.Name()]
			if !known {
				advice = protogenMap
			}
			p.Report(id, change.Manual, what+" has no direct protogen counterpart; rewrite the plugin on compiler/protogen: "+advice, protogenMap)
		case v1GrpcPlugin:
			p.Report(id, change.Manual, "grpc."+o.Name()+" belongs to the removed plugins=grpc generator", grpcPluginAdvice)
		}
		return true
	})
}
