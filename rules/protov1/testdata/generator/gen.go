package generator

import (
	"github.com/golang/protobuf/protoc-gen-go/generator" // want "protoc-gen-go/generator is deprecated"
	_ "github.com/golang/protobuf/protoc-gen-go/grpc"    // want "plugins=grpc. is deprecated"
)

type myPlugin struct {
	gen *generator.Generator // want "generator.Generator has no direct protogen counterpart.*protogen.Plugin"
}

func (p *myPlugin) emit(file *generator.FileDescriptor) { // want "generator.FileDescriptor .*protogen.File"
	p.gen.P("// ", file.GetName()) // want "generator method P .*GeneratedFile..P"
	name := generator.CamelCase    // want "CamelCase .*GoName"
	_ = name("a_b")
}

func run() {
	g := generator.New() // want "generator.New .*Options.*Run"
	_ = g
}

func shadow() string {
	generator := "x"
	return generator
}
