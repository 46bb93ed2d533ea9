package editions

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/protows"
)

// ProveInput is one conversion to check. Both versions are compiled under
// the same name with the same imports.
type ProveInput struct {
	Path          string
	Before, After []byte
	// Workspace, ImportPaths and Overlay are as in Options; Path itself
	// is taken from Before/After.
	Workspace   *protows.Workspace
	ImportPaths []string
	Overlay     map[string][]byte
}

// gofeaturesImportLine is the one line the Go output may gain: protoc-gen-go
// imports the Go package of every imported .proto file.
const gofeaturesImportLine = `_ "google.golang.org/protobuf/types/gofeaturespb"`

// Prove compiles Before and After and reports, as Manual diagnostics, every
// field whose resolved presence, cardinality, kind, packing, enum
// openness, UTF-8 validation, JSON name, default or oneof differs, every
// declaration present on one side only, and every line of protoc-gen-go
// output that differs (other than the gofeaturespb import). No diagnostics
// means the conversion is proven. err is set when Before does not compile
// or the generator fails.
func Prove(ctx context.Context, in ProveInput) ([]change.Diagnostic, error) {
	o := Options{Workspace: in.Workspace, ImportPaths: in.ImportPaths, Overlay: in.Overlay}
	before, err := o.compile(ctx, in.Path, in.Before)
	if err != nil {
		return nil, err
	}
	p := prover{path: in.Path}
	after, err := o.compile(ctx, in.Path, in.After)
	if err != nil {
		return []change.Diagnostic{p.diag(0, "converted file does not compile: "+compileMessage(err))}, nil
	}
	p.after = after
	nb, err := native(before.res)
	if err != nil {
		return nil, fmt.Errorf("%s (before conversion): %w", in.Path, err)
	}
	na, err := native(after.res)
	if err != nil {
		return []change.Diagnostic{p.diag(0, "converted file is not a valid descriptor: "+err.Error())}, nil
	}
	p.fields(nb, na)
	p.enums(nb, na)
	gb, err := generateGo(before.res)
	if err != nil {
		return p.diags, fmt.Errorf("%s (before conversion): %w", in.Path, err)
	}
	ga, err := generateGo(after.res)
	if err != nil {
		return p.diags, fmt.Errorf("%s (after conversion): %w", in.Path, err)
	}
	p.code(gb, ga, imports(after.res, goFeaturesImport) && !imports(before.res, goFeaturesImport))
	return p.diags, nil
}

func imports(f protoreflect.FileDescriptor, name string) bool {
	for i := 0; i < f.Imports().Len(); i++ {
		if f.Imports().Get(i).Path() == name {
			return true
		}
	}
	return false
}

type prover struct {
	path  string
	after *unit
	diags []change.Diagnostic
}

func (p *prover) diag(off int, msg string) change.Diagnostic {
	var src []byte
	if p.after != nil {
		src = p.after.src
	}
	pos := change.PositionAt(src, off)
	return change.Diagnostic{Path: p.path, Start: pos, End: pos, Rule: Rule, Risk: change.Manual,
		Message: "edition conversion not proven: " + msg}
}

// native rebuilds a compiled file and its imports as protobuf-go's own
// descriptors: the runtime reads resolved features (UTF-8 validation) only
// from those.
func native(f protoreflect.FileDescriptor) (protoreflect.FileDescriptor, error) {
	reg := new(protoregistry.Files)
	var visit func(f protoreflect.FileDescriptor) (protoreflect.FileDescriptor, error)
	visit = func(f protoreflect.FileDescriptor) (protoreflect.FileDescriptor, error) {
		if d, err := reg.FindFileByPath(f.Path()); err == nil {
			return d, nil
		}
		for i := 0; i < f.Imports().Len(); i++ {
			if _, err := visit(f.Imports().Get(i).FileDescriptor); err != nil {
				return nil, err
			}
		}
		d, err := protodesc.NewFile(protodesc.ToFileDescriptorProto(f), reg)
		if err != nil {
			return nil, err
		}
		return d, reg.RegisterFile(d)
	}
	return visit(f)
}

// offset finds a field's declaration in the converted file.
func (p *prover) offset(native protoreflect.FieldDescriptor) int {
	type fieldProto interface {
		FieldDescriptorProto() *descriptorpb.FieldDescriptorProto
	}
	if p.after == nil {
		return 0
	}
	fd, _ := p.after.res.FindDescriptorByName(native.FullName()).(protoreflect.FieldDescriptor)
	if fp, ok := fd.(fieldProto); ok {
		if n := p.after.res.FieldNode(fp.FieldDescriptorProto()); n != nil {
			return p.after.res.AST().NodeInfo(n).Start().Offset
		}
	}
	return 0
}

// facts lists what a field means on the wire, in JSON and in Go, as
// name → value, so two versions compare key by key. Weakness is not
// among them: the pinned runtime has no weak fields (IsWeak is
// deprecated and always false).
func facts(fd protoreflect.FieldDescriptor) map[string]string {
	f := map[string]string{
		"number":      fmt.Sprint(fd.Number()),
		"kind":        fd.Kind().String(),
		"cardinality": fd.Cardinality().String(),
		"presence":    fmt.Sprint(fd.HasPresence()),
		"packed":      fmt.Sprint(fd.IsPacked()),
		"json name":   fd.JSONName(),
		"text name":   fd.TextName(),
		"extension":   fmt.Sprint(fd.IsExtension()),
		"extendee":    string(fd.ContainingMessage().FullName()),
		"has default": fmt.Sprint(fd.HasDefault()),
		"map":         fmt.Sprint(fd.IsMap()),
	}
	if fd.HasDefault() {
		f["default"] = fmt.Sprint(fd.Default().Interface())
	}
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		f["oneof"] = string(o.Name())
	}
	if e := fd.Enum(); e != nil {
		f["enum type"] = string(e.FullName())
		f["enum closed"] = fmt.Sprint(e.IsClosed())
	}
	if m := fd.Message(); m != nil {
		f["message type"] = string(m.FullName())
	}
	if fd.Kind() == protoreflect.StringKind {
		f["utf8 validated"] = fmt.Sprint(validatesUTF8(fd))
	}
	return f
}

// validatesUTF8 asks the Go runtime itself: the resolved feature is not
// exported, but marshalling an invalid string shows it.
func validatesUTF8(fd protoreflect.FieldDescriptor) bool {
	m := dynamicpb.NewMessage(fd.ContainingMessage())
	bad := protoreflect.ValueOfString("\xff")
	target := fd
	if fd.IsExtension() {
		target = dynamicpb.NewExtensionType(fd).TypeDescriptor()
	}
	if fd.IsList() {
		m.Mutable(target).List().Append(bad)
	} else {
		m.Set(target, bad)
	}
	_, err := proto.MarshalOptions{AllowPartial: true}.Marshal(m)
	return err != nil
}

func fieldsByName(f protoreflect.FileDescriptor) map[protoreflect.FullName]protoreflect.FieldDescriptor {
	m := map[protoreflect.FullName]protoreflect.FieldDescriptor{}
	eachField(f, func(fd protoreflect.FieldDescriptor) { m[fd.FullName()] = fd })
	return m
}

func sortedNames[T any](m map[protoreflect.FullName]T) []protoreflect.FullName {
	var out []protoreflect.FullName
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (p *prover) fields(before, after protoreflect.FileDescriptor) {
	bf, af := fieldsByName(before), fieldsByName(after)
	for _, name := range sortedNames(bf) {
		b := bf[name]
		a, ok := af[name]
		if !ok {
			p.diags = append(p.diags, p.diag(0, fmt.Sprintf("field %s is missing after conversion", name)))
			continue
		}
		fb, fa := facts(b), facts(a)
		var keys []string
		for k := range fb {
			keys = append(keys, k)
		}
		for k := range fa {
			if _, ok := fb[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if fb[k] != fa[k] {
				p.diags = append(p.diags, p.diag(p.offset(a), fmt.Sprintf("field %s: %s was %q, is %q", name, k, fb[k], fa[k])))
			}
		}
	}
	for _, name := range sortedNames(af) {
		if _, ok := bf[name]; !ok {
			p.diags = append(p.diags, p.diag(p.offset(af[name]), fmt.Sprintf("field %s appears only after conversion", name)))
		}
	}
}

func enumFacts(f protoreflect.FileDescriptor) map[protoreflect.FullName]string {
	m := map[protoreflect.FullName]string{}
	eachEnum(f, func(e protoreflect.EnumDescriptor) {
		var vals []string
		for i := 0; i < e.Values().Len(); i++ {
			v := e.Values().Get(i)
			vals = append(vals, fmt.Sprintf("%s=%d", v.Name(), v.Number()))
		}
		m[e.FullName()] = fmt.Sprintf("closed=%v values=%s", e.IsClosed(), strings.Join(vals, ","))
	})
	return m
}

func (p *prover) enums(before, after protoreflect.FileDescriptor) {
	eb, ea := enumFacts(before), enumFacts(after)
	for _, name := range sortedNames(eb) {
		if eb[name] != ea[name] {
			p.diags = append(p.diags, p.diag(0, fmt.Sprintf("enum %s was %s, is %q", name, eb[name], ea[name])))
		}
	}
	for _, name := range sortedNames(ea) {
		if _, ok := eb[name]; !ok {
			p.diags = append(p.diags, p.diag(0, fmt.Sprintf("enum %s appears only after conversion", name)))
		}
	}
}

// code compares the generated Go line by line.
func (p *prover) code(before, after string, allowFeaturesImport bool) {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	const limit = 20
	n := 0
	for _, d := range diffs {
		if d.Type == diffmatchpatch.DiffEqual {
			continue
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line == "" {
				continue
			}
			t := strings.TrimSpace(line)
			if d.Type == diffmatchpatch.DiffInsert && allowFeaturesImport && t == gofeaturesImportLine {
				continue
			}
			n++
			if n > limit {
				continue
			}
			sign := "-"
			if d.Type == diffmatchpatch.DiffInsert {
				sign = "+"
			}
			p.diags = append(p.diags, p.diag(0, fmt.Sprintf("generated Go differs: %s %s", sign, t)))
		}
	}
	if n > limit {
		p.diags = append(p.diags, p.diag(0, fmt.Sprintf("generated Go differs in %d more lines", n-limit)))
	}
}

// ConvertProven converts like Convert and then proves the result. A file
// whose conversion cannot be proven comes back unchanged with Manual
// diagnostics: the differences Prove found, or why it could not run.
func (o Options) ConvertProven(ctx context.Context, path string, src []byte, edition string) ([]byte, []change.Diagnostic, error) {
	out, diags, err := o.Convert(path, src, edition)
	if err != nil || bytes.Equal(out, src) {
		return out, diags, err
	}
	pd, perr := Prove(ctx, ProveInput{Path: path, Before: src, After: out, Workspace: o.Workspace, ImportPaths: o.ImportPaths, Overlay: o.Overlay})
	if perr != nil {
		pos := change.PositionAt(src, 0)
		return src, append(diags, change.Diagnostic{Path: path, Start: pos, End: pos, Rule: Rule, Risk: change.Manual,
			Message:    "not converted to edition " + edition + ": the conversion could not be proven: " + perr.Error(),
			Suggestion: "convert by hand and check the generated Go code"}), nil
	}
	if len(pd) > 0 {
		return src, append(diags, pd...), nil
	}
	return out, diags, nil
}
