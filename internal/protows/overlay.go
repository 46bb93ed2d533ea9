package protows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/bufbuild/protocompile"
)

// Overlay maps absolute paths to contents that replace the disk: the
// one overlay-or-disk reader of every stage that reads .proto files,
// buf configuration and generated code before anything is written.
type Overlay map[string][]byte

// Read reads a file through the overlay.
func (o Overlay) Read(path string) ([]byte, error) {
	if b, ok := o[filepath.Clean(path)]; ok {
		return b, nil
	}
	return os.ReadFile(path)
}

// Exists reports whether a file (not a directory) is in the overlay or
// on disk.
func (o Overlay) Exists(path string) bool {
	if _, ok := o[filepath.Clean(path)]; ok {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// Open opens a file through the overlay; a relative path is taken from
// the current directory.
func (o Overlay) Open(path string) (io.ReadCloser, error) {
	if abs, err := filepath.Abs(path); err == nil {
		if b, ok := o[abs]; ok {
			return io.NopCloser(bytes.NewReader(b)), nil
		}
	}
	return os.Open(path)
}

// Resolver finds an import name under the first root that has it, the
// way protoc searches its -I list; open reads a file (Overlay.Open).
// The standard imports are not included: wrap it with
// protocompile.WithStandardImports.
func Resolver(roots []Root, open func(string) (io.ReadCloser, error)) protocompile.Resolver {
	return protocompile.ResolverFunc(func(name string) (protocompile.SearchResult, error) {
		for _, r := range roots {
			p, ok := r.File(name)
			if !ok {
				continue
			}
			rc, err := open(p)
			if err == nil {
				return protocompile.SearchResult{Source: rc}, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return protocompile.SearchResult{}, err
			}
		}
		return protocompile.SearchResult{}, fmt.Errorf("%w: %s not found under %s", fs.ErrNotExist, name, RootList(roots))
	})
}

// RootList names roots for messages.
func RootList(roots []Root) string {
	s := make([]string, len(roots))
	for i, r := range roots {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// Revision reads files as they are at a git revision of the work tree
// that holds a directory.
type Revision struct {
	// Rev is the revision as the user named it.
	Rev string
	// Top is the work tree's top directory.
	Top string
}

// AtRevision returns the revision rev of the git work tree holding dir.
func AtRevision(ctx context.Context, dir, rev string) (*Revision, error) {
	top, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git work tree", dir)
	}
	return &Revision{Rev: rev, Top: strings.TrimSpace(string(top))}, nil
}

// Read returns a file (absolute path in the work tree) as it is at the
// revision; ok is false when the revision has no such file.
func (r *Revision) Read(ctx context.Context, path string) (content []byte, ok bool, err error) {
	rel, err := filepath.Rel(r.Top, path)
	if err != nil {
		return nil, false, err
	}
	b, err := exec.CommandContext(ctx, "git", "-C", r.Top, "show", r.Rev+":"+filepath.ToSlash(rel)).Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, false, nil
	}
	return b, true, nil
}
