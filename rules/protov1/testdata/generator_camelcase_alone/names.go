// Package generator_camelcase_alone links descriptor.proto's and
// plugin.proto's types only through the generator package: dropping the
// import would drop their registration, so CamelCase stays.
package generator_camelcase_alone

import (
	"github.com/golang/protobuf/protoc-gen-go/generator" // want "protoc-gen-go/generator is deprecated"
)

func GoName(n string) string {
	return generator.CamelCase(n) // want "not rewritten: generator.CamelCase is a pure function, but the generator package is this package's only link to google.golang.org/protobuf/types/descriptorpb" // want "generator.CamelCase has no direct protogen counterpart"
}
