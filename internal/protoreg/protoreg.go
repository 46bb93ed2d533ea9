// Package protoreg tells which binaries of a module would panic at init
// because two linked generated files register the same proto key.
//
// Generated Go code registers each .proto file it was compiled from, by
// path, and every name the file declares, by full name, in one process-
// wide registry. golang/protobuf before v1.4 kept its own maps and let a
// duplicate pass (a log line at most). From golang/protobuf v1.4 the old
// generated code (proto.RegisterFile) registers in the APIv2 registry of
// google.golang.org/protobuf, as regenerated code always does; that
// registry only warns about a conflict up to v1.25.0 and panics at init
// from v1.26.0 ("proto: file "x.proto" has a name conflict over pkg.Name",
// migration facts H6). So raising either module, or regenerating a file,
// can turn a duplicate a binary always had into a test binary or a
// command that no longer starts, while everything still type-checks.
//
// Linked computes, for every test binary and main package of a module
// (go list -deps -test), the generated files it links (the module's and
// its dependencies', as an overlay would leave them) and the keys two of
// them share, and whether the versions of the build list make that
// conflict panic.
package protoreg

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

const (
	v1Proto      = "github.com/golang/protobuf/proto"
	v1Module     = "github.com/golang/protobuf"
	v2Module     = "google.golang.org/protobuf"
	protoimplPkg = "google.golang.org/protobuf/runtime/protoimpl"
	// PanicSince is the first google.golang.org/protobuf whose registry
	// panics on a conflict by default.
	PanicSince = "v1.26.0"
	// v1ViaV2Since is the first golang/protobuf whose RegisterFile
	// registers in the APIv2 registry.
	v1ViaV2Since = "v1.4.0"
	// Env is the variable that turns the panic into a warning.
	Env = "GOLANG_PROTOBUF_REGISTRATION_CONFLICT"
)

// Config says what to load.
type Config struct {
	ModuleDir string
	// Overlay replaces file contents (absolute path → content); a nil
	// content hides a file (a deletion).
	Overlay map[string][]byte
	// ModFile is an alternate go.mod (go.sum beside it), or "".
	ModFile string
	Tags    []string
}

// File is one generated file that registers a .proto file.
type File struct {
	Path string // absolute
	// V2 is true for code that registers through protoimpl (protoc-gen-go
	// v1.20 and later); false for golang/protobuf's proto.RegisterFile.
	V2 bool
	// Proto is the path the file registers; Names the full names it
	// declares.
	Proto string
	Names []string
}

// Conflict is a key two files linked into one binary both register.
type Conflict struct {
	// Binary is the import path of the main package ("p.test" for the
	// test binary of p).
	Binary string
	A, B   *File
	// Keys are the shared keys: `file "x.proto"` for a path, else full
	// names.
	Keys []string
	// Panics says whether the binary panics at init with the build list's
	// versions (both files register in the APIv2 registry, and it is
	// v1.26.0 or later); otherwise the duplicate is tolerated.
	Panics bool
	// V1, V2 are the build list's golang/protobuf and
	// google.golang.org/protobuf ("" when not linked).
	V1, V2 string
}

// ID identifies the conflict independently of versions.
func (c Conflict) ID() string {
	return c.Binary + "\x00" + c.A.Path + "\x00" + c.B.Path + "\x00" + strings.Join(c.Keys, ",")
}

type pkg struct {
	ImportPath   string
	Name         string
	Dir          string
	ForTest      string
	GoFiles      []string
	TestGoFiles  []string
	XTestGoFiles []string
	Imports      []string
	Deps         []string
	Module       *struct{ Path, Version string }
}

// Linked returns the conflicts of every binary of cfg's module.
func Linked(ctx context.Context, cfg Config) ([]Conflict, error) {
	pkgs, err := list(ctx, cfg)
	if err != nil {
		return nil, err
	}
	byPath := map[string]*pkg{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	cache := map[string]*File{}
	filesOf := func(p *pkg) []*File {
		if !imports(p, v1Proto) && !imports(p, protoimplPkg) {
			return nil
		}
		var out []*File
		names := append([]string(nil), p.GoFiles...)
		if p.ForTest != "" && strings.HasPrefix(p.ImportPath, p.ForTest+" ") {
			names = append(names, p.TestGoFiles...)
		}
		for _, n := range names {
			path := filepath.Join(p.Dir, n)
			f, ok := cache[path]
			if !ok {
				f = readFile(path, cfg.Overlay)
				cache[path] = f
			}
			if f != nil {
				out = append(out, f)
			}
		}
		return out
	}
	var out []Conflict
	for _, m := range pkgs {
		if m.Name != "main" || m.ForTest != "" || m.Dir == "" || !inModule(m.Dir, cfg.ModuleDir) {
			continue
		}
		v1, v2 := "", ""
		owners := map[string][]*File{}
		seen := map[string]bool{}
		for _, ip := range append([]string{m.ImportPath}, m.Deps...) {
			p := byPath[ip]
			if p == nil {
				continue
			}
			if p.Module != nil {
				switch p.Module.Path {
				case v1Module:
					v1 = p.Module.Version
				case v2Module:
					v2 = p.Module.Version
				}
			}
			for _, f := range filesOf(p) {
				if seen[f.Path] {
					continue
				}
				seen[f.Path] = true
				owners["file \""+f.Proto+"\""] = append(owners["file \""+f.Proto+"\""], f)
				for _, n := range f.Names {
					owners[n] = append(owners[n], f)
				}
			}
		}
		pairs := map[[2]string]*Conflict{}
		var keys []string
		for k, fs := range owners {
			if len(fs) > 1 {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			fs := owners[k]
			for i := 0; i < len(fs); i++ {
				for j := i + 1; j < len(fs); j++ {
					a, b := fs[i], fs[j]
					if a.Path > b.Path {
						a, b = b, a
					}
					id := [2]string{a.Path, b.Path}
					c := pairs[id]
					if c == nil {
						c = &Conflict{Binary: m.ImportPath, A: a, B: b, V1: v1, V2: v2, Panics: panics(a, b, v1, v2)}
						pairs[id] = c
					}
					c.Keys = append(c.Keys, k)
				}
			}
		}
		for _, c := range pairs {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out, nil
}

// panics reports whether a and b, linked with golang/protobuf v1 and
// google.golang.org/protobuf v2, make the binary panic at init.
func panics(a, b *File, v1, v2 string) bool {
	if v2 == "" || semver.Compare(v2, PanicSince) < 0 {
		return false
	}
	inV2 := func(f *File) bool { return f.V2 || v1 != "" && semver.Compare(v1, v1ViaV2Since) >= 0 }
	return inV2(a) && inV2(b)
}

func imports(p *pkg, path string) bool {
	for _, i := range p.Imports {
		if i == path {
			return true
		}
	}
	return false
}

func inModule(dir, moduleDir string) bool {
	rel, err := filepath.Rel(moduleDir, dir)
	return err == nil && !strings.HasPrefix(rel, "..")
}

func list(ctx context.Context, cfg Config) ([]*pkg, error) {
	args := []string{"list", "-e", "-deps", "-test", "-json=ImportPath,Name,Dir,ForTest,GoFiles,TestGoFiles,XTestGoFiles,Imports,Deps,Module"}
	if len(cfg.Tags) > 0 {
		args = append(args, "-tags="+strings.Join(cfg.Tags, ","))
	}
	if cfg.ModFile != "" {
		args = append(args, "-modfile="+cfg.ModFile)
	}
	if len(cfg.Overlay) > 0 {
		tmp, err := os.MkdirTemp("", "protolift-protoreg-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		replace := map[string]string{}
		i := 0
		for path, content := range cfg.Overlay {
			if !strings.HasSuffix(path, ".go") {
				continue
			}
			if content == nil {
				replace[path] = ""
				continue
			}
			r := filepath.Join(tmp, strconv.Itoa(i)+".go")
			i++
			if err := os.WriteFile(r, content, 0o644); err != nil {
				return nil, err
			}
			replace[path] = r
		}
		data, err := json.Marshal(struct{ Replace map[string]string }{replace})
		if err != nil {
			return nil, err
		}
		ov := filepath.Join(tmp, "overlay.json")
		if err := os.WriteFile(ov, data, 0o644); err != nil {
			return nil, err
		}
		args = append(args, "-overlay="+ov)
	}
	args = append(args, "./...")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = cfg.ModuleDir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []*pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// readFile returns what a generated file registers, or nil when it
// registers nothing in golang/protobuf's or the APIv2 registry (gogo
// code registers in gogo's own).
func readFile(path string, overlay map[string][]byte) *File {
	src, ok := overlay[path]
	if !ok {
		var err error
		if src, err = os.ReadFile(path); err != nil {
			return nil
		}
	}
	if src == nil || !bytes.Contains(src, []byte("Register")) && !bytes.Contains(src, []byte("protoimpl")) {
		return nil
	}
	return Parse(path, src)
}

// Parse returns what the generated Go file src registers, or nil.
func Parse(path string, src []byte) *File {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	names := map[string]string{} // local name → import path
	for _, is := range af.Imports {
		ip, _ := strconv.Unquote(is.Path.Value)
		n := filepath.Base(ip)
		if is.Name != nil {
			n = is.Name.Name
		}
		names[n] = ip
	}
	values := map[string]ast.Expr{}
	for _, d := range af.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR && gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					values[n.Name] = vs.Values[i]
				}
			}
		}
	}
	var raw []byte
	v2 := false
	ast.Inspect(af, func(n ast.Node) bool {
		if raw != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			// proto.RegisterFile("x.proto", fileDescriptor_…): gzipped.
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "RegisterFile" || len(n.Args) != 2 {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || names[x.Name] != v1Proto {
				return true
			}
			if id, ok := n.Args[1].(*ast.Ident); ok {
				if b := bytesOf(values[id.Name], values); b != nil {
					if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
						raw, _ = io.ReadAll(zr)
					}
				}
			}
		case *ast.KeyValueExpr:
			// protoimpl.DescBuilder{RawDescriptor: file_x_proto_rawDesc…}
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "RawDescriptor" {
				if id := rawIdent(n.Value); id != "" {
					raw = bytesOf(values[id], values)
					v2 = raw != nil
				}
			}
		}
		return true
	})
	if raw == nil {
		return nil
	}
	fd := new(descriptorpb.FileDescriptorProto)
	if err := proto.Unmarshal(raw, fd); err != nil || fd.GetName() == "" {
		return nil
	}
	return &File{Path: path, V2: v2, Proto: fd.GetName(), Names: declared(fd)}
}

// rawIdent finds the variable a RawDescriptor value is built from:
// file_x_rawDesc, unsafe.Slice(unsafe.StringData(file_x_rawDesc), …),
// []byte(file_x_rawDesc).
func rawIdent(e ast.Expr) string {
	found := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && found == "" && strings.HasSuffix(id.Name, "rawDesc") {
			found = id.Name
		}
		return found == ""
	})
	return found
}

// bytesOf evaluates the constant byte content generated code spells a
// descriptor with: a []byte{…} of integer literals, a string (literals
// joined with +), or a conversion of either.
func bytesOf(e ast.Expr, values map[string]ast.Expr) []byte {
	switch e := e.(type) {
	case *ast.CompositeLit:
		out := make([]byte, 0, len(e.Elts))
		for _, el := range e.Elts {
			bl, ok := el.(*ast.BasicLit)
			if !ok || bl.Kind != token.INT {
				return nil
			}
			v, err := strconv.ParseUint(bl.Value, 0, 8)
			if err != nil {
				return nil
			}
			out = append(out, byte(v))
		}
		return out
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return nil
		}
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			return nil
		}
		return []byte(s)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil
		}
		x, y := bytesOf(e.X, values), bytesOf(e.Y, values)
		if x == nil || y == nil {
			return nil
		}
		return append(x, y...)
	case *ast.CallExpr:
		if len(e.Args) == 1 {
			return bytesOf(e.Args[0], values)
		}
	case *ast.ParenExpr:
		return bytesOf(e.X, values)
	case *ast.Ident:
		if v, ok := values[e.Name]; ok {
			delete(values, e.Name) // no cycles
			return bytesOf(v, values)
		}
	}
	return nil
}

// declared returns the full names fd declares: the registry keys
// besides its path. Nested names are included (a clash of those implies
// one of their parents' in practice, but they name it precisely).
func declared(fd *descriptorpb.FileDescriptorProto) []string {
	var out []string
	scope := fd.GetPackage()
	full := func(scope, n string) string {
		if scope == "" {
			return n
		}
		return scope + "." + n
	}
	enum := func(scope string, e *descriptorpb.EnumDescriptorProto) {
		out = append(out, full(scope, e.GetName()))
		for _, v := range e.GetValue() {
			// Enum values are siblings of their enum.
			out = append(out, full(scope, v.GetName()))
		}
	}
	var msg func(scope string, m *descriptorpb.DescriptorProto)
	msg = func(scope string, m *descriptorpb.DescriptorProto) {
		n := full(scope, m.GetName())
		out = append(out, n)
		for _, x := range m.GetNestedType() {
			msg(n, x)
		}
		for _, e := range m.GetEnumType() {
			enum(n, e)
		}
		for _, x := range m.GetExtension() {
			out = append(out, full(n, x.GetName()))
		}
	}
	for _, m := range fd.GetMessageType() {
		msg(scope, m)
	}
	for _, e := range fd.GetEnumType() {
		enum(scope, e)
	}
	for _, s := range fd.GetService() {
		out = append(out, full(scope, s.GetName()))
	}
	for _, x := range fd.GetExtension() {
		out = append(out, full(scope, x.GetName()))
	}
	return out
}
