package editions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bufbuild/protocompile/ast"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/protolift/protolift/internal/change"
)

const goFeaturesImport = "google/protobuf/go_features.proto"

// Convert converts a proto2 or proto3 file to edition 2023 with Options{}:
// imports are looked up under the nearest ancestor directory of path that
// holds them all.
func Convert(path string, src []byte, edition string) ([]byte, []change.Diagnostic, error) {
	return Options{}.Convert(path, src, edition)
}

// Convert rewrites a proto2 or proto3 file as the given edition, touching
// only the bytes that must change. A file already using editions comes back
// unchanged. A file that cannot be converted without changing behaviour
// comes back unchanged with Manual diagnostics that say why. err is set
// when the file (or an import) does not compile or the edition is not
// supported.
func (o Options) Convert(path string, src []byte, edition string) ([]byte, []change.Diagnostic, error) {
	if edition != "2023" {
		return nil, nil, fmt.Errorf("%s: edition %q is not supported: only 2023 can be converted to and proven with the pinned compiler (protocompile v0.14.1)", path, edition)
	}
	if usesEditions(src) {
		// Checked before compiling: the pinned compiler cannot parse
		// edition 2024 files, and no editions file needs converting.
		return src, nil, nil
	}
	u, err := o.compile(context.Background(), path, src)
	if err != nil {
		return nil, nil, err
	}
	c := newConverter(path, src, u)
	out, diags, err := c.run(false)
	if err != nil {
		return nil, nil, err
	}
	if hasManual(diags) {
		return src, diags, nil
	}
	// The JSON-name clash check is a warning in proto2 but an error under
	// the 2023 default json_format; only a failed compile shows it matters.
	if _, cerr := o.compile(context.Background(), path, out); cerr != nil {
		if !c.proto3 {
			c = newConverter(path, src, u)
			out2, diags2, err2 := c.run(true)
			if err2 == nil && !hasManual(diags2) {
				if _, cerr2 := o.compile(context.Background(), path, out2); cerr2 == nil {
					return out2, diags2, nil
				}
			}
		}
		return src, append(diags, change.Diagnostic{
			Path: path, Start: change.PositionAt(src, 0), End: change.PositionAt(src, 0),
			Rule: Rule, Risk: change.Manual,
			Message: "not converted to edition " + edition + ": the converted file does not compile: " + compileMessage(cerr),
		}), nil
	}
	return out, diags, nil
}

// usesEditions reports whether the first statement of src is an edition
// declaration.
func usesEditions(src []byte) bool {
	s := string(src)
	for {
		s = strings.TrimLeft(s, " \t\r\n\f\v\ufeff")
		switch {
		case strings.HasPrefix(s, "//"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return false
			}
			s = s[i:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return false
			}
			s = s[i+2:]
		default:
			rest, ok := strings.CutPrefix(s, "edition")
			return ok && (rest == "" || !isIdentByte(rest[0]))
		}
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// compileMessage joins the compiler's errors, at most three of them.
func compileMessage(err error) string {
	var ce *CompileError
	if errors.As(err, &ce) {
		var parts []string
		for i, e := range ce.Errs {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("and %d more", len(ce.Errs)-3))
				break
			}
			parts = append(parts, e.Error())
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

func hasManual(ds []change.Diagnostic) bool {
	for _, d := range ds {
		if d.Risk == change.Manual {
			return true
		}
	}
	return false
}

type converter struct {
	path   string
	src    []byte
	u      *unit
	file   *ast.FileNode
	proto3 bool
	fields map[ast.Node]protoreflect.FieldDescriptor
	edits  editList
	diags  []change.Diagnostic

	fileExpanded bool // option features.repeated_field_encoding = EXPANDED
	fileImplicit bool // option features.field_presence = IMPLICIT
	utf8None     bool
	closedEnums  bool
	legacyJSON   bool // features.(pb.go).legacy_unmarshal_json_enum
	jsonLegacy   bool // features.json_format = LEGACY_BEST_EFFORT

	dropped ast.Node // a file option deleted outright: no anchor for insertions
}

func newConverter(path string, src []byte, u *unit) *converter {
	c := &converter{
		path: path, src: src, u: u, file: u.res.AST(),
		proto3: u.res.Syntax() == protoreflect.Proto3,
		fields: map[ast.Node]protoreflect.FieldDescriptor{},
	}
	type fieldProto interface {
		FieldDescriptorProto() *descriptorpb.FieldDescriptorProto
	}
	eachField(u.res, func(fd protoreflect.FieldDescriptor) {
		if fp, ok := fd.(fieldProto); ok {
			if n := u.res.FieldNode(fp.FieldDescriptorProto()); n != nil {
				c.fields[n] = fd
			}
		}
	})
	return c
}

// eachField visits every field and extension declared in the file, map
// entry fields included.
func eachField(f protoreflect.FileDescriptor, fn func(protoreflect.FieldDescriptor)) {
	var msgs func(protoreflect.MessageDescriptors)
	exts := func(xs protoreflect.ExtensionDescriptors) {
		for i := 0; i < xs.Len(); i++ {
			fn(xs.Get(i))
		}
	}
	msgs = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			for j := 0; j < m.Fields().Len(); j++ {
				fn(m.Fields().Get(j))
			}
			exts(m.Extensions())
			msgs(m.Messages())
		}
	}
	msgs(f.Messages())
	exts(f.Extensions())
}

func eachEnum(f protoreflect.FileDescriptor, fn func(protoreflect.EnumDescriptor)) {
	var msgs func(protoreflect.MessageDescriptors)
	enums := func(es protoreflect.EnumDescriptors) {
		for i := 0; i < es.Len(); i++ {
			fn(es.Get(i))
		}
	}
	msgs = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			enums(ms.Get(i).Enums())
			msgs(ms.Get(i).Messages())
		}
	}
	enums(f.Enums())
	msgs(f.Messages())
}

func packable(fd protoreflect.FieldDescriptor) bool {
	if fd.Cardinality() != protoreflect.Repeated || fd.IsMap() {
		return false
	}
	switch fd.Kind() {
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind, protoreflect.GroupKind:
		return false
	}
	return true
}

// implicitCandidate reports whether a proto3 field's presence depends on
// the field_presence feature at all.
func implicitCandidate(fd protoreflect.FieldDescriptor) bool {
	if fd.Cardinality() != protoreflect.Optional || fd.IsExtension() {
		return false
	}
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return false
	}
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return false
	}
	return true
}

func (c *converter) pos(off int) change.Position { return change.PositionAt(c.src, off) }

func (c *converter) start(n ast.Node) int { return c.file.NodeInfo(n).Start().Offset }

// end is exclusive; protocompile's End().Offset is the node's last byte.
func (c *converter) end(n ast.Node) int { return c.file.NodeInfo(n).End().Offset + 1 }

// afterSpace skips blanks on the line from off.
func (c *converter) afterSpace(off int) int {
	for off < len(c.src) && (c.src[off] == ' ' || c.src[off] == '\t') {
		off++
	}
	return off
}

func (c *converter) refuse(n ast.Node, msg string) {
	s, e := 0, 0
	if n != nil {
		s, e = c.start(n), c.end(n)
	}
	c.diags = append(c.diags, change.Diagnostic{
		Path: c.path, Start: c.pos(s), End: c.pos(e), Rule: Rule, Risk: change.Manual,
		Message: "not converted to edition 2023: " + msg,
	})
}

func (c *converter) note(n ast.Node, risk change.Risk, msg string) {
	c.diags = append(c.diags, change.Diagnostic{
		Path: c.path, Start: c.pos(c.start(n)), End: c.pos(c.end(n)), Rule: Rule, Risk: risk, Message: msg,
	})
}

// decide picks the file-level features. A file-level option costs one
// line; it pays off when it saves at least as many per-field options.
func (c *converter) decide(jsonLegacy bool) {
	var packed, expanded, implicit, explicit int
	hasString := false
	eachField(c.u.res, func(fd protoreflect.FieldDescriptor) {
		if fd.Kind() == protoreflect.StringKind {
			hasString = true
		}
		if packable(fd) {
			if fd.IsPacked() {
				packed++
			} else {
				expanded++
			}
		}
		if c.proto3 && implicitCandidate(fd) {
			if fd.HasPresence() {
				explicit++
			} else {
				implicit++
			}
		}
	})
	c.fileExpanded = expanded > 0 && expanded >= packed+1
	c.fileImplicit = implicit > 0 && implicit >= explicit+1
	if !c.proto3 {
		c.utf8None = hasString
		hasEnum := false
		eachEnum(c.u.res, func(protoreflect.EnumDescriptor) { hasEnum = true })
		c.closedEnums = hasEnum
		// protoc-gen-go gives proto2 enums an UnmarshalJSON method; 2023
		// drops it unless this Go feature keeps it.
		c.legacyJSON = hasEnum
		c.jsonLegacy = jsonLegacy
	}
}

func (c *converter) run(jsonLegacy bool) ([]byte, []change.Diagnostic, error) {
	c.decide(jsonLegacy)
	if c.proto3 {
		eachField(c.u.res, func(fd protoreflect.FieldDescriptor) {
			if fd.IsExtension() && fd.Kind() == protoreflect.StringKind {
				var n ast.Node
				for k, v := range c.fields {
					if v == fd {
						n = k
					}
				}
				c.refuse(n, fmt.Sprintf("string extension %s: the Go runtime checks UTF-8 in proto3 extensions but never in extensions declared in an editions file (no feature restores it)", fd.FullName()))
			}
		})
	}
	for _, d := range c.file.Decls {
		if err := c.decl(d, nil); err != nil {
			return nil, nil, err
		}
	}
	if hasManual(c.diags) {
		return c.src, c.diags, nil
	}
	c.header()
	out, err := c.edits.apply(c.src, 0, len(c.src))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.path, err)
	}
	return []byte(out), c.diags, nil
}

// decl converts one declaration; container is the oneof or extend block
// holding it (nil inside a message body or at file level).
func (c *converter) decl(n ast.Node, container ast.Node) error {
	switch n := n.(type) {
	case *ast.OptionNode:
		if container == nil && len(n.Name.Parts) == 1 && !n.Name.Parts[0].IsExtension() &&
			n.Name.Parts[0].Name.AsIdentifier() == "java_string_check_utf8" {
			if id, ok := n.Val.(ast.IdentValueNode); ok && id.AsIdentifier() == "false" {
				// false is what both syntaxes default to; editions reject the
				// option itself, so the statement goes with its line.
				s, e := c.start(n), c.end(n)
				ls := s - len(lineIndent(c.src, s))
				if le := lineEnd(c.src, e); ls == 0 || c.src[ls-1] == '\n' {
					if strings.TrimSpace(string(c.src[e:le])) == "" && le < len(c.src) {
						s, e = ls, le+1
					}
				}
				c.edits.add(s, e, "")
				c.dropped = n
				return nil
			}
			c.refuse(n, "option java_string_check_utf8 = true has no Go-only edition 2023 equivalent (it needs features.(pb.java).utf8_validation and an import of java_features.proto, which has no go_package); convert it by hand")
		}
	case *ast.MessageNode:
		for _, d := range n.Decls {
			if err := c.decl(d, nil); err != nil {
				return err
			}
		}
	case *ast.OneofNode:
		for _, d := range n.Decls {
			if err := c.decl(d, n); err != nil {
				return err
			}
		}
	case *ast.ExtendNode:
		for _, d := range n.Decls {
			if err := c.decl(d, n); err != nil {
				return err
			}
		}
	case *ast.EnumNode:
		for _, d := range n.Decls {
			if err := c.decl(d, nil); err != nil {
				return err
			}
		}
	case *ast.ReservedNode:
		c.reserved(n)
	case *ast.FieldNode:
		c.field(n)
	case *ast.GroupNode:
		for _, d := range n.Decls {
			if err := c.decl(d, nil); err != nil {
				return err
			}
		}
		return c.group(n, container)
	}
	return nil
}

// reserved turns quoted reserved names into identifiers, the only spelling
// editions accept. The compiler has already rejected names that are not
// identifiers, so every name carries over.
func (c *converter) reserved(n *ast.ReservedNode) {
	for _, s := range n.Names {
		c.edits.add(c.start(s), c.end(s), s.AsString())
	}
}

// optEdits collects changes to one field's compact options.
type optEdits struct {
	replace map[int]string // option index → new text ("" removes it)
	add     []string
}

func (c *converter) field(n *ast.FieldNode) {
	fd := c.fields[n]
	if fd == nil {
		return
	}
	var oe optEdits
	if kw := n.Label.KeywordNode; kw != nil && kw.Val != "repeated" {
		c.edits.add(c.start(kw), c.afterSpace(c.end(kw)), "")
	}
	if fd.Cardinality() == protoreflect.Required {
		oe.add = append(oe.add, "features.field_presence = LEGACY_REQUIRED")
	}
	if e := fd.Enum(); !c.proto3 && e != nil && !e.IsClosed() {
		// Go already treats such a field as open; C++ and Java treated it
		// as closed in proto2 and need their own legacy_closed_enum feature.
		c.note(n, change.Review, fmt.Sprintf("field %s uses the open enum %s: Go behaviour is unchanged, but C++ and Java treated it as closed in proto2; if they use this file, add [features.(pb.cpp).legacy_closed_enum = true, features.(pb.java).legacy_closed_enum = true] with imports of cpp_features.proto and java_features.proto", fd.FullName(), e.FullName()))
	}
	if c.proto3 && implicitCandidate(fd) {
		switch {
		case c.fileImplicit && fd.HasPresence():
			oe.add = append(oe.add, "features.field_presence = EXPLICIT")
		case !c.fileImplicit && !fd.HasPresence():
			oe.add = append(oe.add, "features.field_presence = IMPLICIT")
		}
	}
	if packable(fd) {
		want := ""
		switch {
		case c.fileExpanded && fd.IsPacked():
			want = "features.repeated_field_encoding = PACKED"
		case !c.fileExpanded && !fd.IsPacked():
			want = "features.repeated_field_encoding = EXPANDED"
		}
		idx := -1
		if n.Options != nil {
			for i, o := range n.Options.Options {
				if len(o.Name.Parts) == 1 && !o.Name.Parts[0].IsExtension() && o.Name.Parts[0].Name.AsIdentifier() == "packed" {
					idx = i
				}
			}
		}
		switch {
		case idx >= 0:
			oe.replace = map[int]string{idx: want}
		case want != "":
			oe.add = append(oe.add, want)
		}
	} else if n.Options != nil {
		// packed on a non-packable field is ignored by proto2/proto3 but
		// rejected by editions.
		for i, o := range n.Options.Options {
			if len(o.Name.Parts) == 1 && !o.Name.Parts[0].IsExtension() && o.Name.Parts[0].Name.AsIdentifier() == "packed" {
				oe.replace = map[int]string{i: ""}
			}
		}
	}
	c.options(n.Options, c.end(n.Tag), oe)
}

// options applies oe to the compact options opts of a field whose tag ends
// at tagEnd.
func (c *converter) options(opts *ast.CompactOptionsNode, tagEnd int, oe optEdits) {
	if len(oe.replace) == 0 && len(oe.add) == 0 {
		return
	}
	if opts == nil {
		c.edits.add(tagEnd, tagEnd, " ["+strings.Join(oe.add, ", ")+"]")
		return
	}
	os := opts.Options
	alive := -1 // last option that survives
	for i := range os {
		if t, ok := oe.replace[i]; !ok || t != "" {
			alive = i
		}
	}
	if alive < 0 && len(oe.add) == 0 {
		c.edits.add(tagEnd, c.end(opts), "")
		return
	}
	if alive < 0 {
		// The only option goes; its slot takes the added features.
		c.edits.add(c.start(os[0]), c.end(os[0]), strings.Join(oe.add, ", "))
		return
	}
	for i, t := range oe.replace {
		switch {
		case t != "":
			c.edits.add(c.start(os[i]), c.end(os[i]), t)
		case i+1 < len(os):
			c.edits.add(c.start(os[i]), c.start(os[i+1]), "")
		default:
			c.edits.add(c.end(os[i-1]), c.end(os[i]), "")
		}
	}
	if len(oe.add) > 0 {
		at := c.end(os[alive])
		c.edits.add(at, at, ", "+strings.Join(oe.add, ", "))
	}
}

// group turns a proto2 group into a nested message plus a delimited field
// named like the group's field, so generated names, text and JSON stay.
func (c *converter) group(g *ast.GroupNode, container ast.Node) error {
	fd := c.fields[g]
	if fd == nil {
		return nil
	}
	feats := []string{}
	if g.Options != nil && len(g.Options.Options) > 0 {
		first, last := g.Options.Options[0], g.Options.Options[len(g.Options.Options)-1]
		feats = append(feats, string(c.src[c.start(first):c.end(last)]))
	}
	feats = append(feats, "features.message_encoding = DELIMITED")
	if fd.Cardinality() == protoreflect.Required {
		feats = append(feats, "features.field_presence = LEGACY_REQUIRED")
	}
	label := ""
	if fd.Cardinality() == protoreflect.Repeated {
		label = "repeated "
	}
	decl := fmt.Sprintf("%s%s %s = %s [%s];", label, g.Name.Val, fd.Name(), c.src[c.start(g.Tag):c.end(g.Tag)], strings.Join(feats, ", "))
	gs := c.start(g)
	if container == nil {
		// Only the label/keyword and the "= N [options]" part change, so
		// comments around the name stay where they are.
		if kw := g.Label.KeywordNode; kw != nil {
			c.edits.add(c.start(kw), c.afterSpace(c.end(kw)), "")
		}
		c.edits.add(c.start(g.Keyword), c.end(g.Keyword), "message")
		c.edits.add(c.start(g.Equals), c.start(g.OpenBrace), "")
		at := lineEnd(c.src, c.end(g.CloseBrace))
		c.edits.add(at, at, "\n"+lineIndent(c.src, gs)+decl)
		return nil
	}
	// A message cannot live in a oneof or extend block: it moves just after
	// the block, which is the scope proto2 declared the group's message in.
	body, err := c.edits.take(c.src, c.start(g.OpenBrace), c.end(g.CloseBrace))
	if err != nil {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	c.edits.add(gs, c.end(g.CloseBrace), decl)
	at := lineEnd(c.src, c.end(container))
	from, to := lineIndent(c.src, gs), lineIndent(c.src, c.start(container))
	lines := strings.Split(body, "\n")
	for i := 1; i < len(lines); i++ {
		if rest, ok := strings.CutPrefix(lines[i], from); ok {
			lines[i] = to + rest
		}
	}
	c.edits.add(at, at, "\n"+to+"message "+g.Name.Val+" "+strings.Join(lines, "\n"))
	return nil
}

// header rewrites the syntax statement and adds file options and imports.
func (c *converter) header() {
	var opts []string
	if c.fileImplicit {
		opts = append(opts, "option features.field_presence = IMPLICIT;")
	}
	if c.closedEnums {
		opts = append(opts, "option features.enum_type = CLOSED;")
	}
	if c.fileExpanded {
		opts = append(opts, "option features.repeated_field_encoding = EXPANDED;")
	}
	if c.utf8None {
		opts = append(opts, "option features.utf8_validation = NONE;")
	}
	if c.jsonLegacy {
		opts = append(opts, "option features.json_format = LEGACY_BEST_EFFORT;")
	}
	if c.legacyJSON {
		opts = append(opts, "option features.(pb.go).legacy_unmarshal_json_enum = true;")
	}
	needImport := c.legacyJSON
	var lastImport, lastOption, pkg ast.Node
	for _, d := range c.file.Decls {
		switch d := d.(type) {
		case *ast.ImportNode:
			lastImport = d
			if d.Name.AsString() == goFeaturesImport {
				needImport = false
			}
		case *ast.OptionNode:
			if d != c.dropped {
				lastOption = d
			}
		case *ast.PackageNode:
			pkg = d
		}
	}
	const edition = `edition = "2023";`
	var top ast.Node
	if s := c.file.Syntax; s != nil {
		// Token by token, so comments inside the statement survive.
		c.edits.add(c.start(s.Keyword), c.end(s.Keyword), "edition")
		c.edits.add(c.start(s.Syntax), c.end(s.Syntax), `"2023"`)
		top = s
	}
	if top == nil && pkg == nil && lastImport == nil && lastOption == nil {
		// Nothing to anchor after: everything goes at the first token.
		text := edition + "\n"
		if needImport {
			text += "\nimport \"" + goFeaturesImport + "\";\n"
		}
		if len(opts) > 0 {
			text += "\n" + strings.Join(opts, "\n") + "\n"
		}
		at := firstTokenOffset(c)
		if at == len(c.src) && at > 0 && c.src[at-1] != '\n' {
			// A file of comments only, the last one a // comment without
			// a newline: the statement must not become part of it.
			text = "\n" + text
		}
		c.edits.add(at, at, text+"\n")
		return
	}
	headAt := -1 // where the edition statement is inserted, when the file had no syntax statement
	if top == nil {
		headAt = firstTokenOffset(c)
		c.edits.add(headAt, headAt, edition+"\n\n")
	}
	after := func(ns ...ast.Node) ast.Node {
		var best ast.Node
		for _, n := range ns {
			if n != nil && (best == nil || c.end(n) > c.end(best)) {
				best = n
			}
		}
		return best
	}
	if needImport {
		if lastImport != nil {
			at := lineEnd(c.src, c.end(lastImport))
			c.edits.add(at, at, "\nimport \""+goFeaturesImport+"\";")
		} else if anchor := after(top, pkg); anchor != nil {
			at := lineEnd(c.src, c.end(anchor))
			c.edits.add(at, at, "\n\nimport \""+goFeaturesImport+"\";")
		} else {
			// Only options precede: the import follows the inserted
			// edition statement (insertions at one offset keep their order).
			c.edits.add(headAt, headAt, "import \""+goFeaturesImport+"\";\n\n")
		}
	}
	if len(opts) == 0 {
		return
	}
	if lastOption != nil {
		at := lineEnd(c.src, c.end(lastOption))
		c.edits.add(at, at, "\n"+strings.Join(opts, "\n"))
		return
	}
	at := lineEnd(c.src, c.end(after(top, pkg, lastImport)))
	c.edits.add(at, at, "\n\n"+strings.Join(opts, "\n"))
}

func firstTokenOffset(c *converter) int {
	if len(c.file.Decls) > 0 {
		return c.start(c.file.Decls[0])
	}
	return len(c.src)
}
