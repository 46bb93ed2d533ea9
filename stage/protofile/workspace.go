package protofile

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/parser"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/genheader"
	"github.com/protolift/protolift/internal/protows"
)

// generatedFile is an existing protoc-gen-go file of the module: where it
// is, which .proto it names as its source and the Go package it declares.
type generatedFile struct {
	dir, source, pkg string
}

// loadWorkspace finds the import roots the repository declares, buf
// managed mode's go_package prefix and the existing generated code.
func (st *stage) loadWorkspace() error {
	suffixes := append([]string{".pb.go"}, protows.ConfigSuffixes...)
	files, err := protows.List(st.opts.ModuleDir, st.opts.Overlay, suffixes...)
	if err != nil {
		return fmt.Errorf("protofile: %v", err)
	}
	read := protows.OverlayReader(st.opts.Overlay)
	st.ws = &protows.Workspace{Dir: st.opts.ModuleDir, ModPath: st.modPath, Overlay: st.opts.Overlay,
		Extra: protows.AbsAll(st.opts.ModuleDir, st.opts.ImportPaths), Declared: protows.Declared(files, read)}
	st.managedPrefix = protows.ManagedGoPackagePrefix(files, read)
	for _, f := range files {
		if !strings.HasSuffix(f, ".pb.go") || strings.HasSuffix(f, "_grpc.pb.go") {
			continue
		}
		b, err := read(f)
		if err != nil {
			continue
		}
		if src, pkg := generatedHeader(b); src != "" && pkg != "" {
			st.generated = append(st.generated, generatedFile{dir: filepath.Dir(f), source: src, pkg: pkg})
		}
	}
	return nil
}

// generatedHeader reads the "// source:" path and the package clause of
// protoc-gen-go output (any version, genheader's either header form);
// other files give "".
func generatedHeader(b []byte) (source, pkg string) {
	h := genheader.Read(b)
	if !h.Generated || h.Tool != "protoc-gen-go" {
		return "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b[h.Off:]))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "// source: "):
			source = strings.TrimSpace(strings.TrimPrefix(line, "// source: "))
		case strings.HasPrefix(line, "package "):
			return source, strings.TrimSpace(strings.TrimPrefix(line, "package "))
		}
	}
	return "", ""
}

// generatedFor returns the existing generated file of a .proto file: the
// one whose source path the file's path ends with, preferring one in the
// file's own directory. Elsewhere, a source path that other .proto files
// end with too, or candidates that disagree, give none.
func (st *stage) generatedFor(file string) (generatedFile, bool) {
	slash := filepath.ToSlash(file)
	var found []generatedFile
	for _, g := range st.generated {
		if strings.HasSuffix(slash, "/"+g.source) {
			if g.dir == filepath.Dir(file) {
				return g, true
			}
			found = append(found, g)
		}
	}
	if len(found) == 0 {
		return generatedFile{}, false
	}
	// In another directory, the source path must name this file alone.
	for other := range st.contents {
		if other != file && strings.HasSuffix(filepath.ToSlash(other), "/"+found[0].source) {
			return generatedFile{}, false
		}
	}
	for _, g := range found[1:] {
		if g.dir != found[0].dir || g.pkg != found[0].pkg {
			return generatedFile{}, false
		}
	}
	return found[0], true
}

// validGoPackage reports whether current protoc-gen-go accepts a
// go_package value: its import path must contain a dot or a slash.
func validGoPackage(v string) bool {
	ip, _, _ := strings.Cut(v, ";")
	return strings.ContainsAny(ip, "./")
}

// definition is a top-level name a file defines, where it does.
type definition struct {
	file       string
	start, end int
	src        []byte
}

// recordNames notes the package-level full names a file defines
// (messages, enums and their values, services, extensions): nested names
// can only clash when their parents do.
func (st *stage) recordNames(path string, fn *ast.FileNode, res parser.Result, om offsetMap) {
	if st.names == nil {
		st.names = map[string][]definition{}
	}
	fd := res.FileDescriptorProto()
	prefix := ""
	if p := fd.GetPackage(); p != "" {
		prefix = p + "."
	}
	src := st.contents[path]
	add := func(name string, n ast.Node) {
		s, e := nodeSpan(fn, n)
		st.names[prefix+name] = append(st.names[prefix+name], definition{file: path, start: om.back(s), end: om.back(e), src: src})
	}
	for _, m := range fd.GetMessageType() {
		add(m.GetName(), res.MessageNode(m).MessageName())
	}
	for _, e := range fd.GetEnumType() {
		add(e.GetName(), res.EnumNode(e).(*ast.EnumNode).Name)
		for _, v := range e.GetValue() {
			add(v.GetName(), res.EnumValueNode(v).GetName())
		}
	}
	for _, sv := range fd.GetService() {
		add(sv.GetName(), res.ServiceNode(sv).(*ast.ServiceNode).Name)
	}
	for _, x := range fd.GetExtension() {
		add(x.GetName(), res.FieldNode(x).FieldName())
	}
}

// reportConflicts reports full names that two .proto files of the module
// both define. The generated packages register them in one global
// registry: with google.golang.org/protobuf v1.26.0 or later (what
// golang/protobuf v1.5 and regenerated code run on) a binary that links
// both panics at init.
func (st *stage) reportConflicts() {
	type pair struct{ a, b string }
	type clash struct {
		name string
		defs [2]definition
	}
	byPair := map[pair][]clash{}
	for name, defs := range st.names {
		for i := 0; i < len(defs); i++ {
			for j := i + 1; j < len(defs); j++ {
				a, b := defs[i], defs[j]
				if a.file == b.file {
					continue
				}
				if a.file > b.file {
					a, b = b, a
				}
				k := pair{a.file, b.file}
				byPair[k] = append(byPair[k], clash{name, [2]definition{a, b}})
			}
		}
	}
	for k, clashes := range byPair {
		sort.Slice(clashes, func(i, j int) bool { return clashes[i].name < clashes[j].name })
		var names []string
		for _, c := range clashes {
			names = append(names, c.name)
		}
		risk := change.Review
		if filepath.Dir(k.a) == filepath.Dir(k.b) {
			// One directory is one Go package: always linked together.
			risk = change.Manual
		}
		more := ""
		if len(names) > 1 {
			more = fmt.Sprintf(" (and %d more: %s)", len(names)-1, strings.Join(names[1:], ", "))
		}
		defs := clashes[0].defs
		for i, d := range defs {
			other := defs[1-i].file
			rel, err := filepath.Rel(filepath.Dir(d.file), other)
			if err != nil {
				rel = other
			}
			st.set.Report(change.Diagnostic{
				Path: d.file, Start: change.PositionAt(d.src, d.start), End: change.PositionAt(d.src, d.end),
				Rule: RuleConflict, Risk: risk,
				Message: fmt.Sprintf("%s%s is also defined in %s: a binary that links the Go code of both files panics at init with google.golang.org/protobuf v1.26.0 or later (golang/protobuf v1.5, and every regenerated file): \"proto: file %q has a name conflict over %s\"",
					names[0], more, filepath.ToSlash(rel), filepath.Base(d.file), names[0]),
				Suggestion: "give one of the files its own proto package (the real fix: the full name is the registry key); until then a binary can run with GOLANG_PROTOBUF_REGISTRATION_CONFLICT=warn, or be built with -ldflags \"-X google.golang.org/protobuf/reflect/protoregistry.conflictPolicy=warn\"",
			})
		}
	}
}
