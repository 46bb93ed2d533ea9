package protoplugin

import (
	"fmt"
	"sort"
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/stage/protofile"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// Rule names of the .proto hazards. The findings the proto stage also
// makes carry its ids: the usage checks are the stage's own
// (protofile.CheckDescriptor), and the go_package and reserved-statement
// checks are the descriptor form of what the stage finds in the source
// (the plugin only has descriptors). Their former ids
// (proto.go-package-missing, proto.reserved-name, proto.reserved-range)
// are listed as aliases by protolift rules.
const (
	GoPackageRule     = protofile.RuleGoPackage
	ReservedNameRule  = protofile.RuleReserved
	ReservedRangeRule = protofile.RuleReserved
	GroupRule         = "proto.editions.group"
	RequiredRule      = "proto.editions.required"
	EnumJSONRule      = "proto.editions.enum_json"
	JavaUTF8Rule      = "proto.editions.java_utf8"
	WeakImportRule    = "proto.editions.weak_import"
	CtypeRule         = "proto.editions.ctype"
	GoNameRule        = "proto.go_name_collision"
)

// maxFieldNumber is the largest valid message field number.
const maxFieldNumber = 536870911

// Hazards lists the migration hazards visible in the request's files to
// generate. Paths are the .proto names as the request has them.
func Hazards(req *pluginpb.CodeGeneratorRequest) ([]change.Diagnostic, error) {
	files, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: req.ProtoFile})
	if err != nil {
		return nil, fmt.Errorf("protolift: the request's descriptors do not link: %v", err)
	}
	h := &hazards{}
	protos := map[string]*descriptorpb.FileDescriptorProto{}
	for _, f := range req.ProtoFile {
		protos[f.GetName()] = f
	}
	for _, name := range req.FileToGenerate {
		fd, err := files.FindFileByPath(name)
		if err != nil {
			return nil, fmt.Errorf("protolift: file to generate %s is not in the request", name)
		}
		h.file(fd)
		h.usage(fd, protos[name])
		// protodesc no longer models weak imports; the proto still lists them.
		for _, i := range protos[name].GetWeakDependency() {
			h.add(fd, protoreflect.SourcePath{3, i}, WeakImportRule, change.Review,
				fmt.Sprintf("weak import of %s is not supported in edition 2024", protos[name].Dependency[i]),
				"use a plain import, or `import option` for option-only dependencies, when moving to edition 2024")
		}
	}
	collisions, err := goNameCollisions(req)
	if err != nil {
		return nil, err
	}
	h.out = append(h.out, collisions...)
	sort.SliceStable(h.out, func(i, j int) bool {
		a, b := h.out[i], h.out[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Start.Line != b.Start.Line {
			return a.Start.Line < b.Start.Line
		}
		if a.Start.Col != b.Start.Col {
			return a.Start.Col < b.Start.Col
		}
		return a.Rule < b.Rule
	})
	return h.out, nil
}

type hazards struct{ out []change.Diagnostic }

func (h *hazards) add(fd protoreflect.FileDescriptor, path protoreflect.SourcePath, rule string, risk change.Risk, msg, suggestion string) {
	loc := fd.SourceLocations().ByPath(path)
	pos := change.Position{Line: loc.StartLine + 1, Col: loc.StartColumn + 1}
	end := change.Position{Line: loc.EndLine + 1, Col: loc.EndColumn + 1}
	if loc.Path == nil {
		pos, end = change.Position{Line: 1, Col: 1}, change.Position{Line: 1, Col: 1}
	}
	h.out = append(h.out, change.Diagnostic{Path: fd.Path(), Start: pos, End: end, Rule: rule, Risk: risk, Message: msg, Suggestion: suggestion})
}

// usage reports the proto stage's descriptor checks at the request's
// source locations.
func (h *hazards) usage(fd protoreflect.FileDescriptor, fdp *descriptorpb.FileDescriptorProto) {
	paths := elementPaths(fdp)
	for _, f := range protofile.CheckDescriptor(fdp) {
		p := append(protoreflect.SourcePath(nil), paths[f.Element]...)
		switch {
		case p == nil:
		case f.Part == protofile.PartName:
			p = append(p, 1) // name of a field or an enum value
		case f.Part == protofile.PartNumber:
			if _, ok := f.Element.(*descriptorpb.FieldDescriptorProto); ok {
				p = append(p, 3)
			} else {
				p = append(p, 2)
			}
		}
		h.add(fd, p, f.Rule, f.Risk, f.Message, f.Suggestion)
	}
}

// elementPaths maps the fields, enum values and extension ranges of a
// file's descriptor to their source code info paths.
func elementPaths(fdp *descriptorpb.FileDescriptorProto) map[any]protoreflect.SourcePath {
	out := map[any]protoreflect.SourcePath{}
	at := func(base protoreflect.SourcePath, field, i int32) protoreflect.SourcePath {
		return append(append(protoreflect.SourcePath(nil), base...), field, i)
	}
	enum := func(base protoreflect.SourcePath, e *descriptorpb.EnumDescriptorProto) {
		for i, v := range e.GetValue() {
			out[v] = at(base, 2, int32(i))
		}
	}
	var msg func(base protoreflect.SourcePath, m *descriptorpb.DescriptorProto)
	msg = func(base protoreflect.SourcePath, m *descriptorpb.DescriptorProto) {
		for i, f := range m.GetField() {
			out[f] = at(base, 2, int32(i))
		}
		for i, x := range m.GetExtensionRange() {
			out[x] = at(base, 5, int32(i))
		}
		for i, n := range m.GetNestedType() {
			msg(at(base, 3, int32(i)), n)
		}
		for i, e := range m.GetEnumType() {
			enum(at(base, 4, int32(i)), e)
		}
	}
	for i, m := range fdp.GetMessageType() {
		msg(protoreflect.SourcePath{4, int32(i)}, m)
	}
	for i, e := range fdp.GetEnumType() {
		enum(protoreflect.SourcePath{5, int32(i)}, e)
	}
	return out
}

func pathOf(d protoreflect.Descriptor) protoreflect.SourcePath {
	return append(protoreflect.SourcePath(nil), d.ParentFile().SourceLocations().ByDescriptor(d).Path...)
}

func (h *hazards) file(fd protoreflect.FileDescriptor) {
	opts, _ := fd.Options().(*descriptorpb.FileOptions)
	if opts.GetGoPackage() == "" {
		h.add(fd, protoreflect.SourcePath{12}, GoPackageRule, change.Manual,
			"no option go_package: protoc-gen-go v1.26 and later refuse to generate this file",
			fmt.Sprintf("add option go_package = \"<module path>/<dir>;<name>\"; naming the Go package the old code used (or pass M%s=<import path> to the generator)", fd.Path()))
	}
	if opts.GetJavaStringCheckUtf8() {
		h.add(fd, protoreflect.SourcePath{8}, JavaUTF8Rule, change.Review,
			"option java_string_check_utf8 is not allowed under editions",
			"replace it with option features.(pb.java).utf8_validation = VERIFY; when converting to editions")
	}
	proto2 := fd.Syntax() == protoreflect.Proto2
	var walkMsgs func(ms protoreflect.MessageDescriptors)
	walkEnums := func(es protoreflect.EnumDescriptors) {
		for i := 0; i < es.Len(); i++ {
			e := es.Get(i)
			h.reserved(e, e.ReservedNames(), e.ReservedRanges().Len(), 5, func(j int) (int64, int64) {
				r := e.ReservedRanges().Get(j)
				return int64(r[0]), int64(r[1]) + 1
			}, 4, false)
			if proto2 {
				h.add(fd, pathOf(e), EnumJSONRule, change.Review,
					fmt.Sprintf("proto2 enum %s: its generated Go type has an UnmarshalJSON method that an editions conversion drops", e.FullName()),
					"when converting to editions, keep it with import \"google/protobuf/go_features.proto\" and option features.(pb.go).legacy_unmarshal_json_enum = true, or check nothing passes the enum to encoding/json")
			}
		}
	}
	walkFields := func(fs interface {
		Len() int
		Get(int) protoreflect.FieldDescriptor
	}) {
		for i := 0; i < fs.Len(); i++ {
			h.field(fd, fs.Get(i))
		}
	}
	walkMsgs = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			if m.IsMapEntry() {
				continue
			}
			h.reserved(m, m.ReservedNames(), m.ReservedRanges().Len(), 10, func(j int) (int64, int64) {
				r := m.ReservedRanges().Get(j)
				return int64(r[0]), int64(r[1])
			}, 9, true)
			walkFields(m.Fields())
			walkFields(m.Extensions())
			walkEnums(m.Enums())
			walkMsgs(m.Messages())
		}
	}
	walkEnums(fd.Enums())
	walkMsgs(fd.Messages())
	walkFields(fd.Extensions())
}

func (h *hazards) field(fd protoreflect.FileDescriptor, f protoreflect.FieldDescriptor) {
	if f.Cardinality() == protoreflect.Required && fd.Syntax() == protoreflect.Proto2 {
		h.add(fd, pathOf(f), RequiredRule, change.Review,
			fmt.Sprintf("required field %s: editions have no required label", f.FullName()),
			"convert to `"+string(f.Name())+" = N [features.field_presence = LEGACY_REQUIRED];` on the field itself (not file-wide)")
	}
	if f.Kind() == protoreflect.GroupKind && fd.Syntax() == protoreflect.Proto2 {
		msg := f.Message()
		groupLike := strings.ToLower(string(msg.Name())) == string(f.Name()) && msg.Parent() == f.Parent()
		text := fmt.Sprintf("group %s: editions have no group syntax; it becomes a nested message %s plus a field with features.message_encoding = DELIMITED", f.FullName(), msg.Name())
		risk := change.Review
		if !groupLike {
			text += "; the field name is not the lowercased message name, so text-format and JSON names change"
			risk = change.Manual
		}
		h.add(fd, pathOf(f), GroupRule, risk, text,
			fmt.Sprintf("keep the message %s in the same scope and the field named %s so generated, text and JSON names stay", msg.Name(), strings.ToLower(string(msg.Name()))))
	}
	if o, ok := f.Options().(*descriptorpb.FieldOptions); ok && o != nil && o.Ctype != nil {
		h.add(fd, pathOf(f), CtypeRule, change.Review,
			fmt.Sprintf("field %s sets ctype, which edition 2024 rejects", f.FullName()),
			"use features.(pb.cpp).string_type when moving to edition 2024")
	}
}

// reserved checks reserved names (field namesField of the descriptor
// proto) and ranges (field rangesField; ranges given as [start, end)).
func (h *hazards) reserved(d protoreflect.Descriptor, names protoreflect.Names, nRanges int, namesField int32, rng func(int) (int64, int64), rangesField int32, message bool) {
	fd := d.ParentFile()
	base := pathOf(d)
	for i := 0; i < names.Len(); i++ {
		n := names.Get(i)
		if !n.IsValid() {
			h.add(fd, append(append(protoreflect.SourcePath(nil), base...), namesField, int32(i)), ReservedNameRule, change.Manual,
				fmt.Sprintf("reserved name %q in %s is not a valid identifier: editions write reserved names as identifiers, so it cannot be carried over", string(n), d.FullName()),
				"rename it to a valid identifier, or drop it if nothing can use that name anyway")
		}
	}
	for j := 0; j < nRanges; j++ {
		start, end := rng(j)
		p := append(append(protoreflect.SourcePath(nil), base...), rangesField, int32(j))
		switch {
		case end <= start:
			h.add(fd, p, ReservedRangeRule, change.Manual,
				fmt.Sprintf("reserved range %d to %d in %s is empty (end before start): protoc 3.21 accepts it, current protoc rejects it", start, end-1, d.FullName()),
				"write the range as `start to end` with start <= end")
		case message && end-1 > maxFieldNumber:
			h.add(fd, p, ReservedRangeRule, change.Review,
				fmt.Sprintf("reserved range in %s ends at %d, above the largest field number %d; buf rejects it", d.FullName(), end-1, maxFieldNumber),
				"end the range at max")
		}
	}
}

// goNameCollisions reports Go identifiers protoc-gen-go would declare
// twice in one package (a nested message Foo.Bar next to a top-level
// Foo_Bar), which fail to compile.
func goNameCollisions(req *pluginpb.CodeGeneratorRequest) ([]change.Diagnostic, error) {
	// protogen refuses files without a Go import path; those are reported
	// as go_package hazards, so give them a placeholder here.
	var params []string
	for _, f := range req.ProtoFile {
		if f.GetOptions().GetGoPackage() == "" {
			params = append(params, "M"+f.GetName()+"=protolift.invalid/"+strings.TrimSuffix(f.GetName(), ".proto"))
		}
	}
	r := &pluginpb.CodeGeneratorRequest{FileToGenerate: req.FileToGenerate, ProtoFile: req.ProtoFile}
	if len(params) > 0 {
		r.Parameter = proto.String(strings.Join(params, ","))
	}
	gen, err := protogen.Options{}.New(r)
	if err != nil {
		return nil, fmt.Errorf("protolift: %v", err)
	}
	type decl struct {
		file *protogen.File
		desc protoreflect.Descriptor
	}
	byPkg := map[protogen.GoImportPath]map[string]decl{}
	var out []change.Diagnostic
	report := func(f *protogen.File, d protoreflect.Descriptor, name string, prev decl) {
		loc := f.Desc.SourceLocations().ByDescriptor(d)
		pos := change.Position{Line: loc.StartLine + 1, Col: loc.StartColumn + 1}
		out = append(out, change.Diagnostic{
			Path: f.Desc.Path(), Start: pos, End: pos, Rule: GoNameRule, Risk: change.Manual,
			Message:    fmt.Sprintf("%s and %s (%s) both generate the Go identifier %s in package %s: the generated code does not compile", d.FullName(), prev.desc.FullName(), prev.file.Desc.Path(), name, f.GoImportPath),
			Suggestion: "rename one of them (the wire format only depends on field numbers; JSON and text names change with field renames)",
		})
	}
	declare := func(f *protogen.File, d protoreflect.Descriptor, ident protogen.GoIdent) {
		m := byPkg[f.GoImportPath]
		if m == nil {
			m = map[string]decl{}
			byPkg[f.GoImportPath] = m
		}
		if prev, ok := m[ident.GoName]; ok {
			report(f, d, ident.GoName, prev)
			return
		}
		m[ident.GoName] = decl{f, d}
	}
	enums := func(f *protogen.File, es []*protogen.Enum) {
		for _, e := range es {
			declare(f, e.Desc, e.GoIdent)
			for _, v := range e.Values {
				declare(f, v.Desc, v.GoIdent)
			}
		}
	}
	var msgs func(f *protogen.File, ms []*protogen.Message)
	msgs = func(f *protogen.File, ms []*protogen.Message) {
		for _, m := range ms {
			if m.Desc.IsMapEntry() {
				continue
			}
			declare(f, m.Desc, m.GoIdent)
			// protogen itself renames fields whose Go names clash
			// (UserId, UserId_), so only package-level names can collide.
			for _, fl := range m.Fields {
				if fl.Oneof != nil && !fl.Oneof.Desc.IsSynthetic() {
					declare(f, fl.Desc, fl.GoIdent)
				}
			}
			enums(f, m.Enums)
			msgs(f, m.Messages)
			for _, x := range m.Extensions {
				declare(f, x.Desc, protogen.GoIdent{GoName: "E_" + x.GoName})
			}
		}
	}
	for _, f := range gen.Files {
		if !f.Generate {
			continue
		}
		enums(f, f.Enums)
		msgs(f, f.Messages)
		for _, x := range f.Extensions {
			declare(f, x.Desc, protogen.GoIdent{GoName: "E_" + x.GoName})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
