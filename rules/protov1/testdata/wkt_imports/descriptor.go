package wkt_imports

import (
	"github.com/golang/protobuf/protoc-gen-go/descriptor"
	plugin "github.com/golang/protobuf/protoc-gen-go/plugin"
	"google.golang.org/genproto/protobuf/field_mask"
)

func names(f *descriptor.FileDescriptorProto, req *plugin.CodeGeneratorRequest, m *field_mask.FieldMask) []string {
	_ = descriptor.FieldDescriptorProto_TYPE_STRING
	_ = descriptor.File_github_com_golang_protobuf_protoc_gen_go_descriptor_descriptor_proto // want "has no alias"
	return append(req.GetFileToGenerate(), f.GetName(), m.GetPaths()[0])
}
