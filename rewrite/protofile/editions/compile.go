// Package editions converts proto2 and proto3 files to edition 2023 with
// minimal byte-range edits, and proves a conversion kept behaviour by
// comparing resolved field features and the Go code protoc-gen-go emits.
package editions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/parser"
	"github.com/bufbuild/protocompile/reporter"
)

// Rule is the rule name on every edit and diagnostic of this package.
const Rule = "proto.editions"

// Options tells the compiler where imports live. Both conversion and proof
// need linked descriptors: whether a named field type is an enum or a
// message decides packing, and only linking reveals it.
type Options struct {
	// ImportPaths are the include roots (like protoc -I). Empty means: use
	// the nearest ancestor directory of the file under which all of its
	// imports resolve.
	ImportPaths []string
	// Overlay maps absolute paths to content that replaces the disk.
	Overlay map[string][]byte
}

// unit is one compiled file with the name it was compiled under.
type unit struct {
	name string
	res  linker.Result
	src  []byte
}

func (o Options) read(abs string) ([]byte, error) {
	if b, ok := o.Overlay[filepath.Clean(abs)]; ok {
		return b, nil
	}
	return os.ReadFile(abs)
}

// roots returns the include roots and the name path has under them.
func (o Options) roots(path string, src []byte) ([]string, string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	if len(o.ImportPaths) > 0 {
		var roots []string
		name := ""
		for _, r := range o.ImportPaths {
			ra, err := filepath.Abs(r)
			if err != nil {
				ra = filepath.Clean(r)
			}
			roots = append(roots, ra)
			if rel, err := filepath.Rel(ra, abs); err == nil && name == "" && !strings.HasPrefix(rel, "..") {
				name = filepath.ToSlash(rel)
			}
		}
		if name == "" {
			// The file lies outside every root: compile it under its base
			// name with its own directory searched first.
			roots = append([]string{filepath.Dir(abs)}, roots...)
			name = filepath.Base(abs)
		}
		return roots, name
	}
	imports := importsOf(path, src)
	dir := filepath.Dir(abs)
	for d := dir; ; {
		ok := true
		for _, imp := range imports {
			if isStandard(imp) {
				continue
			}
			if _, err := o.read(filepath.Join(d, filepath.FromSlash(imp))); err != nil {
				ok = false
				break
			}
		}
		if ok {
			rel, _ := filepath.Rel(d, abs)
			return []string{d}, filepath.ToSlash(rel)
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	return []string{dir}, filepath.Base(abs)
}

func importsOf(path string, src []byte) (imports []string) {
	// The pinned parser panics on some malformed input (a string literal
	// with a bad escape before an invalid byte); such a file has no
	// imports to search for, and compiling it reports the error.
	defer func() {
		if recover() != nil {
			imports = nil
		}
	}()
	h := reporter.NewHandler(reporter.NewReporter(func(reporter.ErrorWithPos) error { return nil }, nil))
	f, _ := parser.Parse(path, bytes.NewReader(src), h)
	if f == nil {
		return nil
	}
	var out []string
	for _, d := range f.Decls {
		if imp, ok := d.(*ast.ImportNode); ok {
			out = append(out, imp.Name.AsString())
		}
	}
	return out
}

func isStandard(name string) bool {
	return strings.HasPrefix(name, "google/protobuf/")
}

// compile links src as path. Errors carry file:line:col from the compiler.
func (o Options) compile(ctx context.Context, path string, src []byte) (*unit, error) {
	roots, name := o.roots(path, src)
	res := protocompile.ResolverFunc(func(n string) (protocompile.SearchResult, error) {
		if n == name {
			return protocompile.SearchResult{Source: bytes.NewReader(src)}, nil
		}
		for _, r := range roots {
			b, err := o.read(filepath.Join(r, filepath.FromSlash(n)))
			if err == nil {
				return protocompile.SearchResult{Source: bytes.NewReader(b)}, nil
			}
		}
		return protocompile.SearchResult{}, fmt.Errorf("%w: %s not found under %s", os.ErrNotExist, n, strings.Join(roots, ", "))
	})
	var errs []error
	c := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(res),
		MaxParallelism: 1,
		SourceInfoMode: protocompile.SourceInfoNone,
		Reporter: reporter.NewReporter(func(e reporter.ErrorWithPos) error {
			errs = append(errs, e)
			return nil
		}, nil),
		RetainASTs: true,
	}
	fs, err := c.Compile(ctx, name)
	if len(errs) > 0 {
		return nil, &CompileError{Path: path, Name: name, Errs: errs}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, ok := fs[0].(linker.Result)
	if !ok {
		return nil, fmt.Errorf("%s: compiler returned no source result", path)
	}
	return &unit{name: name, res: r, src: src}, nil
}

// CompileError lists every error the compiler reported for a file.
type CompileError struct {
	Path string // as given by the caller
	Name string // the import name the file was compiled under
	Errs []error
}

func (e *CompileError) Error() string {
	var b strings.Builder
	for i, err := range e.Errs {
		if i > 0 {
			b.WriteString("; ")
		}
		msg := err.Error()
		var ep reporter.ErrorWithPos
		if errors.As(err, &ep) && ep.GetPosition().Filename == e.Name {
			p := ep.GetPosition()
			msg = fmt.Sprintf("%s:%d:%d: %v", e.Path, p.Line, p.Col, ep.Unwrap())
		}
		b.WriteString(msg)
	}
	return b.String() + " (fix the file or pass the include roots it is compiled with)"
}
