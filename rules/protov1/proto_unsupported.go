package protov1

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoUnsupported reports the identifiers of github.com/golang/protobuf/proto
// that have no automatic APIv2 replacement (spec A.1 rows of class X not
// owned by another rule), each with the reason and, where one exists, a
// snippet to adapt; and a compare hazard of APIv2 message structs (spec
// A.0 H4): `==`/`!=` on message struct values (APIv2 messages contain
// DoNotCompare, so the comparison stops compiling). reflect.DeepEqual on
// messages (H7) belongs to protov1.proto.deepequal.
//
// It rewrites nothing (risk "manual"). Text-format identifiers belong to
// protov1.proto.text; DiscardUnknown, the extension and registry functions
// to the codec, extensions and registry rules.
var ProtoUnsupported = &rule.Rule{
	Name:    "protov1.proto.unsupported",
	Doc:     "reports golang/protobuf proto identifiers without an APIv2 replacement, and == on message structs",
	Risk:    change.Manual,
	Imports: []string{v1Proto},
	Run:     runProtoUnsupported,
}

const regenerate = "generated-code API: regenerate the .pb.go files with protoc-gen-go from google.golang.org/protobuf"

var unsupported = map[string][2]string{
	"SetDefaults": {"proto.SetDefaults has no APIv2 equivalent: generated getters already return declared defaults; drop the call, or fill the fields explicitly where the struct fields themselves are read", ""},
	"Marshaler":   {"proto.Marshaler is no longer consulted: the APIv2 runtime ignores custom Marshal methods of generated types", ""},
	"Unmarshaler": {"proto.Unmarshaler is no longer consulted: the APIv2 runtime ignores custom Unmarshal methods of generated types", ""},
	"Merger":      {"proto.Merger is no longer consulted: the APIv2 runtime ignores custom Merge methods", ""},
	"RequiredNotSetError": {"*proto.RequiredNotSetError is never returned by APIv2 (missing required fields give an opaque error); test for them with proto.CheckInitialized, or marshal with AllowPartial",
		"if err := proto.CheckInitialized(m); err != nil {\n\t// required fields missing\n}"},
	"ErrNil":                 {"proto.ErrNil is no longer returned (APIv2 marshals a nil message to empty bytes): a comparison with it is always false; delete the branch", ""},
	"ErrTooLarge":            {"proto.ErrTooLarge is no longer returned: a comparison with it is always false; delete the branch", ""},
	"ErrInternalBadWireType": {"proto.ErrInternalBadWireType is no longer returned: a comparison with it is always false; delete the branch", ""},
	"Buffer": {"proto.Buffer has no APIv2 type: encode with protowire's Append*/Consume* functions, messages with proto.MarshalOptions.MarshalAppend, length-delimited streams with protodelim",
		"b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(buf, m)"},
	"NewBuffer": {"proto.NewBuffer has no APIv2 type: encode with protowire's Append*/Consume* functions, messages with proto.MarshalOptions.MarshalAppend, length-delimited streams with protodelim",
		"b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(buf, m)"},
	"GetProperties":           {"proto.GetProperties: the struct-tag model is gone in APIv2; use the message descriptor", "fields := m.ProtoReflect().Descriptor().Fields()"},
	"Properties":              {"proto.Properties: the struct-tag model is gone in APIv2; use protoreflect.FieldDescriptor", ""},
	"StructProperties":        {"proto.StructProperties: the struct-tag model is gone in APIv2; use protoreflect.MessageDescriptor", ""},
	"OneofProperties":         {"proto.OneofProperties: the struct-tag model is gone in APIv2; use protoreflect.OneofDescriptor", ""},
	"GetStats":                {"proto.GetStats always returns zeros since golang/protobuf v1.4; delete the call", ""},
	"Stats":                   {"proto.Stats is always zero since golang/protobuf v1.4; delete its uses", ""},
	"MarshalMessageSet":       {"proto.MarshalMessageSet returns \"not implemented\" since golang/protobuf v1.4; marshal the MessageSet message itself with proto.Marshal", ""},
	"UnmarshalMessageSet":     {"proto.UnmarshalMessageSet returns \"not implemented\" since golang/protobuf v1.4; unmarshal the MessageSet message itself with proto.Unmarshal", ""},
	"MarshalMessageSetJSON":   {"proto.MarshalMessageSetJSON returns \"not implemented\" since golang/protobuf v1.4; use protojson on the message", ""},
	"UnmarshalMessageSetJSON": {"proto.UnmarshalMessageSetJSON returns \"not implemented\" since golang/protobuf v1.4; use protojson on the message", ""},
	"InternalMessageInfo":     {"proto.InternalMessageInfo: " + regenerate, ""},
	"ProtoPackageIsVersion1":  {"proto.ProtoPackageIsVersion1: " + regenerate, ""},
	"ProtoPackageIsVersion2":  {"proto.ProtoPackageIsVersion2: " + regenerate, ""},
	"ProtoPackageIsVersion3":  {"proto.ProtoPackageIsVersion3: " + regenerate, ""},
	"ProtoPackageIsVersion4":  {"proto.ProtoPackageIsVersion4: " + regenerate, ""},
	"Extension":               {"proto.Extension: " + regenerate, ""},
	"XXX_InternalExtensions":  {"proto.XXX_InternalExtensions: " + regenerate, ""},
	"ExtensionRange":          {"proto.ExtensionRange: read extension ranges from the descriptor (generated ExtensionRangeArray methods are gone since protoc-gen-go v1.27)", "ranges := m.ProtoReflect().Descriptor().ExtensionRanges()"},
	"EnumValueMap": {"proto.EnumValueMap keyed enums by \"<proto package>.<Go type name>\"; look the enum up in the registry by its full name",
		"et, err := protoregistry.GlobalTypes.FindEnumByName(protoreflect.FullName(name))\nif err != nil {\n\treturn err\n}\nvalues := et.Descriptor().Values()"},
	"EnumName":          {"proto.EnumName is a generated-code helper: use the enum's String method", "v.String()"},
	"UnmarshalJSONEnum": {"proto.UnmarshalJSONEnum is a generated-code helper: parse the enclosing message with protojson", ""},
}

func runProtoUnsupported(p *rule.Pass) {
	dst.Inspect(p.File, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.Ident:
			name, o := v1ProtoRef(p, n)
			if r, ok := unsupported[name]; ok && o != nil {
				p.Report(n, change.Manual, r[0], r[1])
			}
		case *dst.BinaryExpr:
			if n.Op != token.EQL && n.Op != token.NEQ {
				return true
			}
			if t := p.TypeOf(n.X); t != nil && isMessageStruct(t) {
				p.Report(n, change.Manual, "comparing message structs with "+n.Op.String()+" does not compile with APIv2 messages (they contain DoNotCompare); use proto.Equal", "proto.Equal(&a, &b)")
			}
		}
		return true
	})
}

// isMessageStruct reports whether t is a struct type whose pointer is a
// (v1 or v2) message.
func isMessageStruct(t types.Type) bool {
	if _, ok := t.Underlying().(*types.Struct); !ok {
		return false
	}
	_, isNamed := types.Unalias(t).(*types.Named)
	return isNamed && (hasMethod(t, "ProtoMessage") || rule.ImplementsV2(t))
}

// isMessageRef reports whether t is a pointer to a message struct or an
// interface with message methods.
func isMessageRef(t types.Type) bool {
	if ptr, ok := t.(*types.Pointer); ok {
		return isMessageStruct(ptr.Elem())
	}
	if types.IsInterface(t) && !isEmptyInterface(t) {
		return hasMethod(t, "ProtoMessage") || rule.ImplementsV2(t)
	}
	return false
}

func isEmptyInterface(t types.Type) bool {
	i, ok := t.Underlying().(*types.Interface)
	return ok && i.NumMethods() == 0
}
