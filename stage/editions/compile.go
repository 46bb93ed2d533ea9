// Package editions converts proto2 and proto3 files to edition 2023 with
// minimal byte-range edits, and proves a conversion kept behaviour by
// comparing resolved field features and the Go code protoc-gen-go emits.
package editions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"

	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/protows"
)

// Rule is the rule name on every edit and diagnostic of this package.
const Rule = "proto.editions"

// Options tells the compiler where imports live. Both conversion and proof
// need linked descriptors: whether a named field type is an enum or a
// message decides packing, and only linking reveals it.
type Options struct {
	// Workspace gives the import roots and reads files (see
	// protows.Workspace.Roots); the proto stage and -prove pass the
	// module's. Without one, ImportPaths and Overlay make one.
	Workspace *protows.Workspace
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

func (o Options) workspace() *protows.Workspace {
	if o.Workspace != nil {
		return o.Workspace
	}
	wd, _ := os.Getwd()
	return &protows.Workspace{Extra: protows.AbsAll(wd, o.ImportPaths), Overlay: o.Overlay}
}

// roots returns the include roots and the name path has under them.
func (o Options) roots(path string, src []byte) ([]protows.Root, string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	return o.workspace().Roots(abs, src)
}

// compile links src as path. Errors carry file:line:col from the compiler.
func (o Options) compile(ctx context.Context, path string, src []byte) (*unit, error) {
	roots, name := o.roots(path, src)
	req, err := generate.Compile(ctx, generate.CompileOptions{Roots: roots, Files: []string{name}, Overlay: o.workspace().Overlay,
		Sources: map[string][]byte{name: src}, NoSourceInfo: true, RetainASTs: true, Serial: true})
	var errs generate.CompileErrors
	if errors.As(err, &errs) {
		return nil, &CompileError{Path: path, Name: name, Errs: errs}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(req.Linked) == 0 {
		return nil, fmt.Errorf("%s: compiler returned no source result", path)
	}
	r, ok := req.Linked[0].(linker.Result)
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
