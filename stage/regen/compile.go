package regen

import (
	"context"
	"errors"

	"github.com/bufbuild/protocompile/reporter"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/protows"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// compiled holds the descriptors of every file a compilation reached, in
// dependency order.
type compiled struct {
	byName map[string]*descriptorpb.FileDescriptorProto
	order  []string
}

// posError is a compile error with the position protocompile reported.
type posError struct {
	file      string // source name as imported
	line, col int
	msg       string
}

// compileProtos compiles the named sources in process. When the whole set
// fails, each file is compiled alone, so one broken file only stops its
// own regeneration (and the files importing it).
func compileProtos(ctx context.Context, roots []protows.Root, names []string, overlay map[string][]byte) (*compiled, map[string][]posError) {
	out := &compiled{byName: map[string]*descriptorpb.FileDescriptorProto{}}
	failed := map[string][]posError{}
	add := func(req *generate.Request) {
		for _, fdp := range req.ProtoFile {
			if _, ok := out.byName[fdp.GetName()]; !ok {
				out.byName[fdp.GetName()] = fdp
				out.order = append(out.order, fdp.GetName())
			}
		}
	}
	compile := func(files []string) (*generate.Request, error) {
		return generate.Compile(ctx, generate.CompileOptions{Roots: roots, Files: files, Overlay: overlay})
	}
	if req, err := compile(names); err == nil {
		add(req)
		return out, failed
	}
	for _, n := range names {
		req, err := compile([]string{n})
		if err == nil {
			add(req)
			continue
		}
		var errs []posError
		for _, e := range positioned(err) {
			pos := e.GetPosition()
			errs = append(errs, posError{file: pos.Filename, line: pos.Line, col: pos.Col, msg: e.Unwrap().Error()})
		}
		if len(errs) == 0 {
			errs = []posError{{file: n, msg: err.Error()}}
		}
		failed[n] = errs
	}
	return out, failed
}

// positioned collects the compiler's positioned errors from a joined error.
func positioned(err error) []reporter.ErrorWithPos {
	if e, ok := err.(reporter.ErrorWithPos); ok {
		return []reporter.ErrorWithPos{e}
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		var out []reporter.ErrorWithPos
		for _, e := range u.Unwrap() {
			out = append(out, positioned(e)...)
		}
		return out
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); inner != nil {
			return positioned(inner)
		}
	}
	var e reporter.ErrorWithPos
	if errors.As(err, &e) {
		return []reporter.ErrorWithPos{e}
	}
	return nil
}

// deps returns name and its transitive imports.
func (c *compiled) deps(name string) map[string]bool { return generate.Closure(c.byName, name) }

// request is the CodeGeneratorRequest protoc would send for name alone:
// the file and its transitive imports, dependencies first.
func (c *compiled) request(name string, compiler *pluginpb.Version) *generate.Request {
	all := &pluginpb.CodeGeneratorRequest{CompilerVersion: compiler}
	for _, n := range c.order {
		all.ProtoFile = append(all.ProtoFile, c.byName[n])
	}
	return &generate.Request{CodeGeneratorRequest: generate.Narrow(all, []string{name})}
}

// absSource maps a source name back to the file under the first root
// that has it.
func absSource(roots []protows.Root, name string, rd reader) string {
	for _, r := range roots {
		if p, ok := r.File(name); ok && rd.Exists(p) {
			return p
		}
	}
	return name
}
