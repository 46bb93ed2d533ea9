package codec

import (
	"sort"

	"github.com/golang/protobuf/descriptor"
	descpb "github.com/golang/protobuf/protoc-gen-go/descriptor"
)

// Schema is what the /debug/schema page shows for a message.
type Schema struct {
	File    string
	Message string
	// Fields maps field names to their declared type, e.g. "TYPE_STRING".
	Fields map[string]string
	// Nested lists the message types this one refers to, sorted.
	Nested []string
}

// Describe reads the schema of a generated message from the descriptor
// embedded in its .pb.go file.
func Describe(m descriptor.Message) Schema {
	fd, md := descriptor.ForMessage(m)
	s := Schema{
		File:    fd.GetName(),
		Message: fd.GetPackage() + "." + md.GetName(),
		Fields:  make(map[string]string, len(md.GetField())),
	}
	for _, f := range md.GetField() {
		s.Fields[f.GetName()] = f.GetType().String()
		if isMessage(f) {
			s.Nested = append(s.Nested, f.GetTypeName())
		}
	}
	sort.Strings(s.Nested)
	return s
}

func isMessage(f *descpb.FieldDescriptorProto) bool {
	return f.GetType() == descpb.FieldDescriptorProto_TYPE_MESSAGE
}
