// Package generator_camelcase predicts the Go names protoc-gen-go gives
// without being a plugin (protoc-gen-star's lang/go/name.go): the two
// naming functions become a helper with the same algorithm, and the
// deprecated generator import goes. The package links descriptor.proto's
// and plugin.proto's types through its own imports.
package generator_camelcase

import (
	"github.com/golang/protobuf/protoc-gen-go/generator"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// GoName is the name of the message's Go type.
func GoName(m *descriptorpb.DescriptorProto) string {
	return generator.CamelCase(m.GetName())
}

func NestedName(path []string) string {
	return generator.CamelCaseSlice(path)
}

func Files(req *pluginpb.CodeGeneratorRequest) []string {
	var out []string
	for _, f := range req.GetFileToGenerate() {
		out = append(out, generator.CamelCase(f))
	}
	return out
}
