package generate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"github.com/protolift/protolift/internal/protows"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// CompileOptions says what to compile.
type CompileOptions struct {
	// ImportPaths are the roots .proto imports are resolved against
	// (protoc's -I). Relative paths are taken from the current directory.
	ImportPaths []string
	// Roots are further import roots after ImportPaths, possibly with a
	// prefix (a GOPATH-style root: the module directory as
	// $GOPATH/src/<module path>).
	Roots []protows.Root
	// Files are the files to generate, either as import names relative to
	// an import path ("shop/v1/catalog.proto") or as file paths inside
	// one of the import paths.
	Files []string
	// Overlay replaces file contents: absolute path → content.
	Overlay map[string][]byte
	// NoSourceInfo leaves out source code info: generated code then has
	// no .proto comments, which is fine when only its API matters, and
	// every generator run is cheaper.
	NoSourceInfo bool
	// Sources are contents served for import names before the roots are
	// searched (a file being edited, compiled under its name).
	Sources map[string][]byte
	// RetainASTs keeps each linked file's syntax tree (byte edits need it).
	RetainASTs bool
	// Serial compiles one file at a time.
	Serial bool
}

// CompileErrors are the errors the compiler reported, each with its
// position; errors.As finds them in Compile's error.
type CompileErrors []error

func (e CompileErrors) Error() string { return errors.Join(e...).Error() }

// Unwrap returns the errors, for errors.Is and errors.As.
func (e CompileErrors) Unwrap() []error { return e }

// Request is a compiled request plus the linked descriptors it came from.
type Request struct {
	*pluginpb.CodeGeneratorRequest
	// Linked holds the linked result of each file in FileToGenerate.
	Linked linker.Files
}

// Compile parses and links the files with protocompile and builds the
// CodeGeneratorRequest every generator receives: all files to generate
// and their transitive imports, in dependency order, with source info
// (so generated code carries the .proto comments).
func Compile(ctx context.Context, opts CompileOptions) (*Request, error) {
	if len(opts.Files) == 0 {
		return nil, errors.New("generate: no .proto files to compile")
	}
	var roots []protows.Root
	for _, p := range opts.ImportPaths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("generate: import path %s: %v", p, err)
		}
		roots = append(roots, protows.Root{Dir: abs})
	}
	for _, r := range opts.Roots {
		abs, err := filepath.Abs(r.Dir)
		if err != nil {
			return nil, fmt.Errorf("generate: import path %s: %v", r.Dir, err)
		}
		roots = append(roots, protows.Root{Dir: abs, Prefix: r.Prefix})
	}
	if len(roots) == 0 {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("generate: %v", err)
		}
		roots = []protows.Root{{Dir: wd}}
	}
	names := make([]string, len(opts.Files))
	for i, f := range opts.Files {
		if _, ok := opts.Sources[f]; ok {
			names[i] = f
			continue
		}
		n, err := importName(f, roots, opts.Overlay)
		if err != nil {
			return nil, err
		}
		names[i] = n
	}

	var errs []error
	mode := protocompile.SourceInfoStandard
	if opts.NoSourceInfo {
		mode = protocompile.SourceInfoNone
	}
	var res protocompile.Resolver = protows.Resolver(roots, protows.Overlay(opts.Overlay).Open)
	if len(opts.Sources) > 0 {
		under := res
		res = protocompile.ResolverFunc(func(name string) (protocompile.SearchResult, error) {
			if b, ok := opts.Sources[name]; ok {
				return protocompile.SearchResult{Source: bytes.NewReader(b)}, nil
			}
			return under.FindFileByPath(name)
		})
	}
	parallel := 0
	if opts.Serial {
		parallel = 1
	}
	comp := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(res),
		MaxParallelism: parallel,
		RetainASTs:     opts.RetainASTs,
		SourceInfoMode: mode,
		Reporter: reporter.NewReporter(func(err reporter.ErrorWithPos) error {
			errs = append(errs, err)
			return nil
		}, nil),
	}
	linked, err := comp.Compile(ctx, names...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("generate: compiling .proto files:\n%w", CompileErrors(errs))
	}
	if err != nil {
		return nil, fmt.Errorf("generate: compiling .proto files: %w (check the import paths %s)", err, protows.RootList(roots))
	}

	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: names}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imps := fd.Imports()
		for i := range imps.Len() {
			add(imps.Get(i).FileDescriptor)
		}
		req.ProtoFile = append(req.ProtoFile, fileProto(fd))
	}
	for _, f := range linked {
		add(f)
	}
	return &Request{CodeGeneratorRequest: req, Linked: linked}, nil
}

// fileProto converts a descriptor to its proto form, cloning so a plugin
// run cannot alter the shared request.
func fileProto(fd protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
	if r, ok := fd.(linker.Result); ok {
		return proto.Clone(r.FileDescriptorProto()).(*descriptorpb.FileDescriptorProto)
	}
	return protodesc.ToFileDescriptorProto(fd)
}

// importName maps a file argument to the name imports use.
func importName(f string, roots []protows.Root, overlay map[string][]byte) (string, error) {
	if !strings.HasSuffix(f, ".proto") {
		return "", fmt.Errorf("generate: %s: not a .proto file", f)
	}
	if !filepath.IsAbs(f) {
		name := filepath.ToSlash(filepath.Clean(f))
		for _, r := range roots {
			if p, ok := r.File(name); ok && protows.Overlay(overlay).Exists(p) {
				return name, nil
			}
		}
	}
	abs, err := filepath.Abs(f)
	if err != nil {
		return "", fmt.Errorf("generate: %s: %v", f, err)
	}
	for _, r := range roots {
		if name, ok := r.Name(abs); ok {
			if !protows.Overlay(overlay).Exists(abs) {
				return "", fmt.Errorf("generate: %s: file not found", f)
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("generate: %s is under none of the import paths %s; add its root with -I", f, protows.RootList(roots))
}

// Clone returns a deep copy of the request with its parameter set, so
// one compiled request can feed many generators.
func (r *Request) Clone(params string) *pluginpb.CodeGeneratorRequest {
	c := proto.Clone(r.CodeGeneratorRequest).(*pluginpb.CodeGeneratorRequest)
	if params != "" {
		c.Parameter = proto.String(params)
	} else {
		c.Parameter = nil
	}
	return c
}

// usesEditions and usesProto3Optional tell Run which plugin features the
// request needs, mirroring protoc's refusal to hand a plugin input it
// did not declare support for.
func usesEditions(req *pluginpb.CodeGeneratorRequest) []string {
	var out []string
	for _, f := range req.ProtoFile {
		if f.GetSyntax() == "editions" && slices.Contains(req.FileToGenerate, f.GetName()) {
			out = append(out, f.GetName())
		}
	}
	return out
}

func usesProto3Optional(req *pluginpb.CodeGeneratorRequest) []string {
	var out []string
	var walk func(file string, msgs []*descriptorpb.DescriptorProto) bool
	walk = func(file string, msgs []*descriptorpb.DescriptorProto) bool {
		for _, m := range msgs {
			for _, fld := range m.GetField() {
				if fld.GetProto3Optional() {
					return true
				}
			}
			if walk(file, m.GetNestedType()) {
				return true
			}
		}
		return false
	}
	for _, f := range req.ProtoFile {
		if slices.Contains(req.FileToGenerate, f.GetName()) && walk(f.GetName(), f.GetMessageType()) {
			out = append(out, f.GetName())
		}
	}
	return out
}

// Closure returns the named files and their transitive imports, as far
// as byName (file name → descriptor) has them.
func Closure(byName map[string]*descriptorpb.FileDescriptorProto, names ...string) map[string]bool {
	seen := map[string]bool{}
	var visit func(n string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, d := range byName[n].GetDependency() {
			visit(d)
		}
	}
	for _, n := range names {
		visit(n)
	}
	return seen
}

// Narrow is the request protoc would send for files alone: only they
// and their transitive imports, in req's order, with req's parameter
// and compiler version.
func Narrow(req *pluginpb.CodeGeneratorRequest, files []string) *pluginpb.CodeGeneratorRequest {
	by := map[string]*descriptorpb.FileDescriptorProto{}
	for _, f := range req.ProtoFile {
		by[f.GetName()] = f
	}
	keep := Closure(by, files...)
	r := &pluginpb.CodeGeneratorRequest{FileToGenerate: files, Parameter: req.Parameter, CompilerVersion: req.CompilerVersion}
	for _, f := range req.ProtoFile {
		if keep[f.GetName()] {
			r.ProtoFile = append(r.ProtoFile, f)
		}
	}
	return r
}
