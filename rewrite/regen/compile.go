package regen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// compiled holds the descriptors of every file a compilation reached.
type compiled struct {
	byName map[string]linker.File
}

// posError is a compile error with the position protocompile reported.
type posError struct {
	file      string // source name as imported
	line, col int
	msg       string
}

// compileProtos compiles the named sources (relative to one of roots) in
// process. Files that fail are returned as errors with positions; the
// others compile independently so one broken file does not stop the rest.
func compileProtos(ctx context.Context, roots []string, names []string, rd reader) (*compiled, map[string][]posError) {
	out := &compiled{byName: map[string]linker.File{}}
	failed := map[string][]posError{}
	var errs []posError
	newCompiler := func() protocompile.Compiler {
		errs = nil
		return protocompile.Compiler{
			Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
				ImportPaths: roots,
				Accessor: func(p string) (io.ReadCloser, error) {
					b, err := rd.read(p)
					if err != nil {
						return nil, err
					}
					return io.NopCloser(bytes.NewReader(b)), nil
				},
			}),
			SourceInfoMode: protocompile.SourceInfoStandard,
			Reporter: reporter.NewReporter(func(err reporter.ErrorWithPos) error {
				pos := err.GetPosition()
				errs = append(errs, posError{file: pos.Filename, line: pos.Line, col: pos.Col, msg: errors.Unwrap(err).Error()})
				return nil
			}, nil),
		}
	}
	add := func(files linker.Files) {
		for _, f := range files {
			addDeps(out.byName, f)
		}
	}
	c := newCompiler()
	files, err := c.Compile(ctx, names...)
	if err == nil {
		add(files)
		return out, failed
	}
	for _, n := range names {
		c := newCompiler()
		files, err := c.Compile(ctx, n)
		if err == nil {
			add(files)
			continue
		}
		if len(errs) == 0 {
			errs = []posError{{file: n, msg: err.Error()}}
		}
		failed[n] = errs
	}
	return out, failed
}

func addDeps(m map[string]linker.File, f linker.File) {
	if _, ok := m[f.Path()]; ok {
		return
	}
	m[f.Path()] = f
	imps := f.Imports()
	for i := 0; i < imps.Len(); i++ {
		if d := f.FindImportByPath(imps.Get(i).Path()); d != nil {
			addDeps(m, d)
		}
	}
}

// fileProto returns the descriptor proto a plugin would receive for f.
// Compiled sources keep protocompile's own proto (with json_name and
// source info the way protoc fills them); files from the standard import
// set are converted from their registered descriptors.
func fileProto(f linker.File) *descriptorpb.FileDescriptorProto {
	if r, ok := f.(linker.Result); ok {
		return r.FileDescriptorProto()
	}
	return protodesc.ToFileDescriptorProto(f)
}

// protoFiles lists name and its transitive imports, dependencies first, as
// CodeGeneratorRequest.proto_file requires.
func (c *compiled) protoFiles(names ...string) []*descriptorpb.FileDescriptorProto {
	var out []*descriptorpb.FileDescriptorProto
	done := map[string]bool{}
	var visit func(fd protoreflect.FileDescriptor)
	visit = func(fd protoreflect.FileDescriptor) {
		if done[fd.Path()] {
			return
		}
		done[fd.Path()] = true
		imps := fd.Imports()
		for i := 0; i < imps.Len(); i++ {
			if d, ok := c.byName[imps.Get(i).Path()]; ok {
				visit(d)
			} else {
				visit(imps.Get(i).FileDescriptor)
			}
		}
		if f, ok := c.byName[fd.Path()]; ok {
			out = append(out, fileProto(f))
		} else {
			out = append(out, protodesc.ToFileDescriptorProto(fd))
		}
	}
	for _, n := range names {
		if f, ok := c.byName[n]; ok {
			visit(f)
		}
	}
	return out
}

func (e posError) String() string {
	if e.line == 0 {
		return e.msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.file, e.line, e.col, e.msg)
}

// absSource maps a source name back to the file on disk under the first
// root that has it.
func absSource(roots []string, name string, rd reader) string {
	for _, r := range roots {
		p := filepath.Join(r, filepath.FromSlash(name))
		if rd.exists(p) {
			return p
		}
	}
	if _, err := os.Stat(name); err == nil {
		return name
	}
	return ""
}
