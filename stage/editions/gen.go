package editions

import (
	"flag"
	"fmt"
	"strings"

	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// generateGo runs protoc-gen-go in process on fd with
// experimental_strip_nonfunctional_codegen, the generator's own mode for
// comparing a file with its editions translation (it leaves out the raw
// descriptor and the syntax-specific tag and oneof details).
func generateGo(fd protoreflect.FileDescriptor) (string, error) {
	var files []*descriptorpb.FileDescriptorProto
	seen := map[string]bool{}
	var visit func(f protoreflect.FileDescriptor)
	visit = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		for i := 0; i < f.Imports().Len(); i++ {
			visit(f.Imports().Get(i).FileDescriptor)
		}
		files = append(files, protodesc.ToFileDescriptorProto(f))
	}
	visit(fd)
	params := []string{"experimental_strip_nonfunctional_codegen=true"}
	for _, f := range files {
		if f.GetOptions().GetGoPackage() == "" {
			// protoc-gen-go refuses files without a Go package; a made-up
			// one is enough because both sides of the proof get the same.
			params = append(params, fmt.Sprintf("M%s=protolift.invalid/%s;%s", f.GetName(), strings.TrimSuffix(f.GetName(), ".proto"), goIdent(f.GetPackage())))
		}
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{fd.Path()},
		Parameter:      proto.String(strings.Join(params, ",")),
		ProtoFile:      files,
	}
	var flags flag.FlagSet
	strip := flags.Bool("experimental_strip_nonfunctional_codegen", false, "")
	plugin, err := protogen.Options{ParamFunc: flags.Set, InternalStripForEditionsDiff: strip}.New(req)
	if err != nil {
		return "", fmt.Errorf("protoc-gen-go: %w", err)
	}
	for _, f := range plugin.Files {
		if f.Generate {
			gengo.GenerateFile(plugin, f)
		}
	}
	resp := plugin.Response()
	if resp.Error != nil {
		return "", fmt.Errorf("protoc-gen-go: %s", resp.GetError())
	}
	var b strings.Builder
	for _, f := range resp.File {
		b.WriteString(f.GetContent())
	}
	return b.String(), nil
}

func goIdent(pkg string) string {
	if pkg == "" {
		return "pb"
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' {
			return '_'
		}
		return r
	}, pkg)
}
