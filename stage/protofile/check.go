package protofile

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/parser"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/protolift/protolift/internal/change"
)

type reportFn func(start, end int, risk change.Risk, rule, msg, sugg string)

// Part says which part of a descriptor element a Finding is about.
type Part int

// The parts a Finding can point at.
const (
	PartWhole  Part = iota // the whole element (an extension range)
	PartName               // a field's or enum value's name
	PartNumber             // a field's or enum value's number
)

// Finding is what a descriptor check found, at an element of the file's
// descriptor (a *descriptorpb.FieldDescriptorProto,
// *descriptorpb.EnumValueDescriptorProto or
// *descriptorpb.DescriptorProto_ExtensionRange): the proto stage places
// it with the parser's syntax tree, the plugin with the request's source
// code info.
type Finding struct {
	Element             any
	Part                Part
	Risk                change.Risk
	Rule                string
	Message, Suggestion string
}

// CheckDescriptor reports what cannot be fixed without changing meaning:
// fields and enum values that use a reserved number or name, field
// numbers 19000-19999, and extension ranges overlapping reserved ranges.
// Wording follows protoc. The proto stage runs it on every file that
// parses; the plugin on every file it is asked to generate.
func CheckDescriptor(fd *descriptorpb.FileDescriptorProto) []Finding {
	var out []Finding
	for _, m := range fd.GetMessageType() {
		out = checkMessage(m, out)
	}
	for _, e := range fd.GetEnumType() {
		out = checkEnum(e, out)
	}
	return out
}

// checkUsage runs CheckDescriptor on a parsed file and reports each
// finding at its syntax node.
func checkUsage(fn *ast.FileNode, res parser.Result, report reportFn) {
	for _, f := range CheckDescriptor(res.FileDescriptorProto()) {
		var n ast.Node
		switch el := f.Element.(type) {
		case *descriptorpb.FieldDescriptorProto:
			n = res.FieldNode(el).FieldName()
			if f.Part == PartNumber {
				n = res.FieldNode(el).FieldTag()
			}
		case *descriptorpb.EnumValueDescriptorProto:
			n = res.EnumValueNode(el).GetName()
			if f.Part == PartNumber {
				n = res.EnumValueNode(el).GetNumber()
			}
		case *descriptorpb.DescriptorProto_ExtensionRange:
			n = res.ExtensionRangeNode(el)
		default:
			continue
		}
		s, e := nodeSpan(fn, n)
		report(s, e, f.Risk, f.Rule, f.Message, f.Suggestion)
	}
}

func checkMessage(m *descriptorpb.DescriptorProto, out []Finding) []Finding {
	add := func(el any, part Part, msg, sugg string) {
		out = append(out, Finding{Element: el, Part: part, Risk: change.Manual, Rule: RuleReserved, Message: msg, Suggestion: sugg})
	}
	names := map[string]bool{}
	for _, n := range m.GetReservedName() {
		names[n] = true
	}
	for _, f := range m.GetField() {
		if f.GetNumber() >= 19000 && f.GetNumber() <= 19999 {
			add(f, PartNumber, "Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.",
				"give the field a number outside 19000-19999")
		}
		if names[f.GetName()] {
			add(f, PartName, fmt.Sprintf("Field name %q is reserved.", f.GetName()),
				"rename the field, or remove the name from the reserved list if reusing it is really safe")
		}
		for _, r := range m.GetReservedRange() {
			if f.GetNumber() >= r.GetStart() && f.GetNumber() < r.GetEnd() {
				add(f, PartNumber, fmt.Sprintf("Field %q uses reserved number %d.", f.GetName(), f.GetNumber()),
					"give the field an unused number; reusing a reserved number breaks old data and clients")
				break
			}
		}
	}
	for _, x := range m.GetExtensionRange() {
		for _, r := range m.GetReservedRange() {
			if x.GetStart() < r.GetEnd() && r.GetStart() < x.GetEnd() {
				add(x, PartWhole, fmt.Sprintf("Extension range %d to %d overlaps with reserved range %d to %d.",
					x.GetStart(), x.GetEnd()-1, r.GetStart(), r.GetEnd()-1), "make the extension range and the reserved range disjoint")
			}
		}
	}
	for _, n := range m.GetNestedType() {
		if n.GetOptions().GetMapEntry() {
			continue
		}
		out = checkMessage(n, out)
	}
	for _, e := range m.GetEnumType() {
		out = checkEnum(e, out)
	}
	return out
}

func checkEnum(en *descriptorpb.EnumDescriptorProto, out []Finding) []Finding {
	add := func(el any, part Part, msg, sugg string) {
		out = append(out, Finding{Element: el, Part: part, Risk: change.Manual, Rule: RuleReserved, Message: msg, Suggestion: sugg})
	}
	names := map[string]bool{}
	for _, n := range en.GetReservedName() {
		names[n] = true
	}
	for _, v := range en.GetValue() {
		if names[v.GetName()] {
			add(v, PartName, fmt.Sprintf("Enum value %q is reserved.", v.GetName()),
				"rename the value, or remove the name from the reserved list if reusing it is really safe")
		}
		for _, r := range en.GetReservedRange() {
			if v.GetNumber() >= r.GetStart() && v.GetNumber() <= r.GetEnd() {
				add(v, PartNumber, fmt.Sprintf("Enum value %q uses reserved number %d.", v.GetName(), v.GetNumber()),
					"give the value an unused number")
				break
			}
		}
	}
	return out
}

// checkImports reports imports that no import root provides.
func (st *stage) checkImports(file string, fn *ast.FileNode, src []byte, report reportFn) {
	for _, d := range fn.Decls {
		imp, ok := d.(*ast.ImportNode)
		if !ok {
			continue
		}
		name := imp.Name.AsString()
		if st.ws.Resolves(file, name) {
			continue
		}
		s, e := nodeSpan(fn, imp.Name)
		report(s, e, change.Manual, RuleImport, fmt.Sprintf("import %q was not found in the module, the roots its buf.yaml/buf.work.yaml or protoc commands (-I in Makefiles and scripts) declare, or the standard imports", name),
			"name the directory that holds it as a root in buf.yaml (or with -I in the protoc command of the Makefile or script), or fix the import")
	}
}

// siblingGoPackages records the go_package already used in each directory.
func (st *stage) siblingGoPackages() {
	st.dirGoPackage = map[string]string{}
	paths := make([]string, 0, len(st.contents))
	for p := range st.contents {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		src := st.contents[p]
		if v := declaredGoPackage(lex(src)); v != "" && validGoPackage(v) {
			if _, ok := st.dirGoPackage[filepath.Dir(p)]; !ok {
				st.dirGoPackage[filepath.Dir(p)] = v
			}
		}
	}
}

// declaredGoPackage finds a file-level `option go_package = "...";`.
func declaredGoPackage(toks []token) string {
	sig := significant(toks)
	depth := 0
	for i, t := range sig {
		switch t.text {
		case "{":
			depth++
		case "}":
			depth--
		}
		if depth == 0 && t.text == "option" && i+3 < len(sig) && sig[i+1].text == "go_package" && sig[i+2].text == "=" && sig[i+3].kind == tString {
			v, _ := unquote(sig[i+3].text)
			return v
		}
	}
	return ""
}

// goPackageValue derives the go_package for a file without one.
func (st *stage) goPackageValue(file string) string {
	rel, err := filepath.Rel(st.opts.ModuleDir, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Base(file)
	}
	rel = filepath.ToSlash(rel)
	dir := path.Dir(rel)
	if v, ok := st.opts.GoPackageMap[rel]; ok {
		return withPkgName(v)
	}
	if v, ok := st.opts.GoPackageMap[file]; ok {
		return withPkgName(v)
	}
	best, bestV := "", ""
	for k, v := range st.opts.GoPackageMap {
		if filepath.IsAbs(k) {
			if r, err := filepath.Rel(st.opts.ModuleDir, k); err == nil {
				k = r
			}
		}
		k = strings.TrimSuffix(path.Clean(filepath.ToSlash(k)), "/")
		if (dir == k || strings.HasPrefix(dir, k+"/") || k == ".") && len(k) >= len(best) {
			best, bestV = k, v
		}
	}
	if bestV != "" {
		imp := bestV
		if best != "." && dir != best {
			imp = bestV + "/" + strings.TrimPrefix(dir, best+"/")
		} else if best == "." && dir != "." {
			imp = bestV + "/" + dir
		}
		return withPkgName(imp)
	}
	// Existing generated code says where the package is and what it is
	// called: keep both, so hand-written code keeps compiling.
	if g, ok := st.generatedFor(file); ok && st.opts.GoPackagePrefix == "" && st.modPath != "" {
		if r, err := filepath.Rel(st.opts.ModuleDir, g.dir); err == nil && !strings.HasPrefix(r, "..") {
			imp := st.modPath
			if r != "." {
				imp += "/" + filepath.ToSlash(r)
			}
			return imp + ";" + g.pkg
		}
	}
	if v, ok := st.dirGoPackage[filepath.Dir(file)]; ok {
		return v
	}
	prefix := st.opts.GoPackagePrefix
	if prefix == "" && st.managedPrefix != "" {
		// buf managed mode: prefix + the file's directory under its root.
		prefix = st.managedPrefix
		dir = path.Dir(st.nameUnderRoot(file))
	}
	if prefix == "" {
		prefix = st.modPath
	}
	if prefix == "" {
		return ""
	}
	prefix = strings.TrimSuffix(prefix, "/")
	v := withPkgName(prefix)
	if dir != "." {
		v = withPkgName(prefix + "/" + dir)
	}
	if g, ok := st.generatedFor(file); ok {
		ip, _, _ := strings.Cut(v, ";")
		v = ip + ";" + g.pkg
	}
	return v
}

// nameUnderRoot is file's import name under the innermost declared root
// that holds it, else its path relative to ModuleDir.
func (st *stage) nameUnderRoot(file string) string {
	best := ""
	for _, r := range append(append([]string(nil), st.ws.Declared...), st.opts.ModuleDir) {
		if rel, err := filepath.Rel(r, file); err == nil && !strings.HasPrefix(rel, "..") {
			if best == "" || len(rel) < len(best) {
				best = rel
			}
		}
	}
	if best == "" {
		best = filepath.Base(file)
	}
	return filepath.ToSlash(best)
}

// withPkgName appends ";name" with a Go package name derived the way buf
// users expect: the last path element, joined with its parent when it is
// only a version ("foo/v1" → "foov1").
func withPkgName(imp string) string {
	if strings.Contains(imp, ";") {
		return imp
	}
	elems := strings.Split(imp, "/")
	name := elems[len(elems)-1]
	if isVersion(name) && len(elems) > 1 {
		name = elems[len(elems)-2] + name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isIdentChar(c):
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	pkg := strings.ToLower(b.String())
	if pkg == "" || (pkg[0] >= '0' && pkg[0] <= '9') {
		pkg = "_" + pkg
	}
	return imp + ";" + pkg
}

func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9') && !isIdentChar(s[i]) {
			return false
		}
	}
	return s[1] >= '0' && s[1] <= '9'
}

// goPackageSplice inserts the go_package option where a reader expects it:
// before the first file option, else after the package (or syntax)
// statement, separated the way the file separates its sections.
func (st *stage) goPackageSplice(file string, fn *ast.FileNode, src []byte) *splice {
	var lastOpt *ast.OptionNode
	var pkg, syn ast.Node
	for _, d := range fn.Decls {
		switch n := d.(type) {
		case *ast.OptionNode:
			if nameText(fn, n) == "go_package" {
				return st.fixGoPackage(file, fn, n)
			}
			lastOpt = n
		case *ast.PackageNode:
			pkg = n
		}
	}
	if fn.Syntax != nil {
		syn = fn.Syntax
	} else if fn.Edition != nil {
		syn = fn.Edition
	}
	nl := lineEnding(src)
	val := st.goPackageValue(file)
	if val == "" {
		// Schema-only repository without a prefix: nothing to derive
		// an import path from.
		return nil
	}
	stmt := fmt.Sprintf("option go_package = %q;", val)
	sp := &splice{rule: RuleGoPackage, risk: change.Safe,
		msg: fmt.Sprintf("added go_package %q (protoc-gen-go refuses files without one)", val)}
	switch {
	case lastOpt != nil:
		// After the file's last option line, so comments that introduce
		// the existing options keep introducing them.
		_, end := nodeSpan(fn, lastOpt)
		if tc := fn.NodeInfo(lastOpt).TrailingComments(); tc.Len() > 0 {
			end = tc.Index(tc.Len()-1).End().Offset + 1
		}
		if at, ok := endOfLine(src, end); ok {
			sp.start, sp.text = at, nl+stmt
		} else {
			sp.start, sp.text = end, " "+stmt
		}
	case pkg != nil || syn != nil:
		n := pkg
		if n == nil {
			n = syn
		}
		_, end := nodeSpan(fn, n)
		if at, ok := endOfLine(src, end); ok {
			sp.start, sp.text = at, nl+nl+stmt
		} else {
			sp.start, sp.text = end, " "+stmt
		}
	default:
		sp.start, sp.text = 0, stmt+nl+nl
	}
	sp.end = sp.start
	return sp
}

// endOfLine returns the end of the line holding off (before any \r\n),
// and false when something other than whitespace or comments follows off
// on that line (another declaration on a one-line file, or a block comment
// running on to the next line): text appended at the line's end would land
// inside that declaration or comment.
func endOfLine(src []byte, off int) (int, bool) {
	at := off
	for at < len(src) && src[at] != '\n' {
		at++
	}
	rest := string(src[off:at])
	for {
		rest = strings.TrimLeft(rest, " \t\r\f\v")
		switch {
		case rest == "" || strings.HasPrefix(rest, "//"):
			if at > off && src[at-1] == '\r' {
				at--
			}
			return at, true
		case strings.HasPrefix(rest, "/*"):
			i := strings.Index(rest[2:], "*/")
			if i < 0 {
				return off, false
			}
			rest = rest[2+i+2:]
		default:
			return off, false
		}
	}
}

func nameText(fn *ast.FileNode, o *ast.OptionNode) string {
	return fn.NodeInfo(o.Name).RawText()
}

// fixGoPackage replaces a go_package value current protoc-gen-go refuses
// (an import path without a dot or slash, as old generators took a bare
// package name): the import path becomes the one derived for the file,
// the package name the one the existing generated code declares, else the
// old value when it is a Go identifier.
func (st *stage) fixGoPackage(file string, fn *ast.FileNode, opt *ast.OptionNode) *splice {
	lit, ok := opt.Val.(ast.StringValueNode)
	if !ok {
		return nil
	}
	old := lit.AsString()
	if validGoPackage(old) {
		return nil
	}
	val := st.goPackageValue(file)
	if val == "" {
		return nil
	}
	ip, name, _ := strings.Cut(val, ";")
	oldName := old
	if _, n, ok := strings.Cut(old, ";"); ok {
		oldName = n
	}
	if _, ok := st.generatedFor(file); !ok && isGoIdent(oldName) {
		name = oldName
	}
	val = ip + ";" + name
	s, e := nodeSpan(fn, opt.Val)
	return &splice{start: s, end: e, text: fmt.Sprintf("%q", val), rule: RuleGoPackage, risk: change.Review,
		msg: fmt.Sprintf("go_package %q is not an import path, which current protoc-gen-go refuses: replaced with %q", old, val)}
}

func isGoIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}
