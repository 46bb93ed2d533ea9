package protows

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/parser"
	"github.com/bufbuild/protocompile/reporter"

	"github.com/protolift/protolift/internal/modroot"
)

// Workspace is a module's .proto workspace as every stage sees it: its
// directory, the contents that replace the disk, and the import roots.
// The proto stage (its checks and the Editions conversion), -prove and
// diffcheck select files with Sources and compile them with Roots, so a
// proof checks the files the conversion changed, under the same roots.
type Workspace struct {
	// Dir is the module (or schema repository) root; "" means no
	// boundary: Roots then looks for import roots up to the file
	// system's root.
	Dir string
	// ModPath is the Go module path; with it, the module directory is
	// also a GOPATH-style root (imports naming files by import path).
	ModPath string
	// Overlay maps absolute paths to contents that replace the disk.
	Overlay map[string][]byte
	// Extra are roots the caller names (-I), searched first.
	Extra []string
	// Declared are the roots the repository's buf configuration and
	// protoc commands declare (see Declared).
	Declared []string
}

// Open returns dir's workspace: the roots its configuration files
// declare, with extra (absolute, or relative to dir) before them.
func Open(dir, modPath string, overlay map[string][]byte, extra []string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	files, err := List(abs, overlay, ConfigSuffixes...)
	if err != nil {
		return nil, err
	}
	return &Workspace{Dir: abs, ModPath: modPath, Overlay: overlay, Extra: AbsAll(abs, extra),
		Declared: Declared(files, OverlayReader(overlay))}, nil
}

// AbsAll makes each path absolute (relative ones are taken from base)
// and clean.
func AbsAll(base string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		out = append(out, filepath.Clean(p))
	}
	return out
}

// WithOverlay returns a copy of w that reads overlay before the disk.
func (w *Workspace) WithOverlay(overlay map[string][]byte) *Workspace {
	c := *w
	c.Overlay = overlay
	return &c
}

// Read reads a file through the overlay.
func (w *Workspace) Read(path string) ([]byte, error) { return Overlay(w.Overlay).Read(path) }

func (w *Workspace) exists(path string) bool { return Overlay(w.Overlay).Exists(path) }

// named are the roots the caller and the configuration name, in order,
// each once.
func (w *Workspace) named() []Root {
	seen := map[string]bool{}
	var out []Root
	for _, d := range append(append([]string(nil), w.Extra...), w.Declared...) {
		if !seen[d] {
			seen[d] = true
			out = append(out, Root{Dir: d})
		}
	}
	return out
}

// gopath is the GOPATH-style root, if the module has a path.
func (w *Workspace) gopath() []Root {
	if w.ModPath == "" || w.Dir == "" {
		return nil
	}
	return []Root{{Dir: w.Dir, Prefix: w.ModPath}}
}

// ancestors are the directories from file's own up to Dir (when file is
// inside it), else up to the file system's root.
func (w *Workspace) ancestors(file string) []string {
	inside := w.Dir != "" && strings.HasPrefix(file, w.Dir+string(filepath.Separator))
	var out []string
	for d := filepath.Dir(file); ; {
		out = append(out, d)
		if inside && d == w.Dir {
			break
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	return out
}

// Resolves reports whether an import of file is found: under a root the
// caller or the configuration names, a directory between the file and
// Dir, the GOPATH-style root, or among the standard imports.
func (w *Workspace) Resolves(file, name string) bool {
	if IsStandard(name) {
		return true
	}
	return w.resolvesUnder(append(append(w.named(), Plain(w.ancestors(file)...)...), w.gopath()...), name)
}

func (w *Workspace) resolvesUnder(roots []Root, name string) bool {
	for _, r := range roots {
		if p, ok := r.File(name); ok && w.exists(p) {
			return true
		}
	}
	return false
}

// Roots returns the import roots a .proto file (absolute path, content
// src) is compiled against and the name it has under the first of them.
// When a root the caller or the configuration names holds the file and
// every import resolves under those roots, they are the roots. Otherwise
// the nearest directory from the file's own upwards under which (with
// the named roots after it) every import resolves comes first; failing
// that, the file's own directory.
func (w *Workspace) Roots(file string, src []byte) ([]Root, string) {
	imports := importsOf(file, src)
	resolved := func(roots []Root) bool {
		for _, imp := range imports {
			if !IsStandard(imp) && !w.resolvesUnder(roots, imp) {
				return false
			}
		}
		return true
	}
	named := append(w.named(), w.gopath()...)
	for _, r := range named {
		if r.Prefix != "" {
			continue
		}
		if name, ok := r.Name(file); ok && resolved(named) {
			return named, name
		}
	}
	for _, d := range w.ancestors(file) {
		roots := append([]Root{{Dir: d}}, named...)
		if resolved(roots) {
			name, _ := roots[0].Name(file)
			return roots, name
		}
	}
	return append([]Root{{Dir: filepath.Dir(file)}}, named...), filepath.Base(file)
}

// IsStandard reports whether an import is one of the standard imports
// every compiler provides (google/protobuf/*.proto).
func IsStandard(name string) bool {
	_, err := standardImports.FindFileByPath(name)
	return err == nil
}

var standardImports = protocompile.WithStandardImports(&protocompile.SourceResolver{
	Accessor: func(string) (io.ReadCloser, error) { return nil, os.ErrNotExist },
})

// importsOf lists the imports of a .proto file; a file that does not
// parse far enough has none (compiling it reports the error).
func importsOf(path string, src []byte) (imports []string) {
	// The pinned parser panics on some malformed input (a string literal
	// with a bad escape before an invalid byte).
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
	for _, d := range f.Decls {
		if imp, ok := d.(*ast.ImportNode); ok {
			imports = append(imports, imp.Name.AsString())
		}
	}
	return imports
}

// SkipDir is the one skip policy of every listing below a module root:
// what the go command skips (nested modules, vendor, testdata, hidden
// and _ directories) and node_modules.
func SkipDir(root, dir, name string) bool {
	return modroot.SkipDir(root, dir, name) || (dir != root && name == "node_modules")
}

// thirdPartyDir says which directory names hold other projects' schemas.
func thirdPartyDir(name string) bool {
	return name == "third_party" || name == "third-party" || name == "thirdparty"
}

// ThirdPartyCopy spots copies of Google's well-known types and API
// protos; rel is relative to the directory being walked, so a directory
// named explicitly is still taken.
func ThirdPartyCopy(rel string) bool {
	s := "/" + strings.TrimPrefix(filepath.ToSlash(rel), "/")
	return strings.Contains(s, "/google/protobuf/") || strings.Contains(s, "/google/api/") || strings.Contains(s, "/google/rpc/")
}

// Sources returns the module's own .proto files among paths (files or
// directories, absolute or relative to Dir; none means Dir): a file named
// is taken as it is; a directory is walked with SkipDir, also skipping
// third-party include trees (third_party/, third-party/, thirdparty/)
// and copies of Google's protos below it. Overlay entries that do not
// exist on disk are included.
func (w *Workspace) Sources(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{w.Dir}
	}
	set := map[string]bool{}
	for _, r := range AbsAll(w.Dir, paths) {
		if _, ok := w.Overlay[r]; ok {
			set[r] = true
			continue
		}
		info, err := os.Stat(r)
		if err != nil {
			if w.overlayUnder(r, set) {
				continue
			}
			return nil, fmt.Errorf("%v; pass existing .proto files or directories", err)
		}
		if !info.IsDir() {
			set[r] = true
			continue
		}
		err = filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != r && (SkipDir(r, p, d.Name()) || thirdPartyDir(d.Name())) {
					return filepath.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(r, p)
			if strings.HasSuffix(p, ".proto") && !ThirdPartyCopy(rel) {
				set[p] = true
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walking %s: %v", r, err)
		}
		w.overlayUnder(r, set)
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// overlayUnder adds the overlay's .proto files below dir that Sources'
// walk would take, and reports whether there were any.
func (w *Workspace) overlayUnder(dir string, set map[string]bool) bool {
	found := false
	for p := range w.Overlay {
		if !strings.HasSuffix(p, ".proto") || !strings.HasPrefix(p, dir+string(filepath.Separator)) || ThirdPartyCopy(strings.TrimPrefix(p, dir)) {
			continue
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(p))
		skip := false
		cur := dir
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			if part == "." {
				continue
			}
			cur = filepath.Join(cur, part)
			if SkipDir(dir, cur, part) || thirdPartyDir(part) {
				skip = true
			}
		}
		if !skip {
			set[p] = true
			found = true
		}
	}
	return found
}
