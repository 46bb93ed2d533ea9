package regen

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/internal/protows"
)

// workspace is what the gen stage knows about the module's .proto layout.
type workspace struct {
	mod      *modroot.Module
	declared []string     // roots buf configuration and protoc commands declare
	gopath   protows.Root // the module directory as $GOPATH/src/<module path>
	protos   []string     // every .proto file of the module
	rd       reader
}

// findRoot picks the import root a generated file's "// source:" path is
// relative to. It tries, in order: the root a paths=source_relative
// layout implies, the roots the repository declares, the module as a
// GOPATH directory (for sources named by full import path), the generated
// file's directory and its parents up to the module directory, and
// finally any .proto file in the module whose path ends with the source
// path. When that last search finds several files, it returns them
// (relative to the module) instead of picking one.
func (ws *workspace) findRoot(g *genFile) (protows.Root, []string) {
	src := filepath.FromSlash(g.source)
	try := func(root string) bool { return ws.rd.Exists(filepath.Join(root, src)) }
	dir := filepath.Dir(g.path)
	if sdir := filepath.Dir(src); sdir != "." {
		if r, ok := strings.CutSuffix(dir, string(filepath.Separator)+sdir); ok && try(r) {
			return protows.Root{Dir: r}, nil
		}
	} else if try(dir) {
		return protows.Root{Dir: dir}, nil
	}
	for _, r := range ws.declared {
		if try(r) {
			return protows.Root{Dir: r}, nil
		}
	}
	if p, ok := ws.gopath.File(g.source); ok && ws.rd.Exists(p) {
		return ws.gopath, nil
	}
	moduleDir := ws.mod.Dir
	for d := dir; ; d = filepath.Dir(d) {
		if try(d) {
			return protows.Root{Dir: d}, nil
		}
		if d == moduleDir || filepath.Dir(d) == d || !strings.HasPrefix(d, moduleDir) {
			break
		}
	}
	var found, rel []string
	for _, p := range ws.protos {
		if strings.HasSuffix(p, string(filepath.Separator)+src) {
			found = append(found, strings.TrimSuffix(p, string(filepath.Separator)+src))
			r, _ := filepath.Rel(moduleDir, p)
			rel = append(rel, filepath.ToSlash(r))
		}
	}
	if len(found) == 1 {
		return protows.Root{Dir: found[0]}, nil
	}
	return protows.Root{}, rel
}

// rootsFor is the import path a group is compiled with: its own root
// first (so none of its files can be shadowed), then the declared roots,
// the other groups' roots and the module as a GOPATH directory, for
// imports its own root does not hold.
func (ws *workspace) rootsFor(own protows.Root, groups []*group) []protows.Root {
	seen := map[protows.Root]bool{}
	var out []protows.Root
	add := func(r protows.Root) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	add(own)
	for _, d := range ws.declared {
		add(protows.Root{Dir: d})
	}
	for _, g := range groups {
		add(g.root)
	}
	add(ws.gopath)
	return out
}

// invalidUTF8 reports the first byte of a .proto file that is not UTF-8.
// protoc-gen-go copies comments into Go source, which must be UTF-8, so
// the generator would fail on its own output.
func invalidUTF8(path string, b []byte) (change.Diagnostic, bool) {
	if utf8.Valid(b) {
		return change.Diagnostic{}, false
	}
	off := 0
	for off < len(b) {
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	pos := change.PositionAt(b, off)
	return change.Diagnostic{
		Path: path, Start: pos, End: pos, Rule: CompileRule, Risk: change.Manual,
		Message:    fmt.Sprintf("byte 0x%02x is not UTF-8, so its generated code was not regenerated: protoc-gen-go copies .proto comments into Go source, which must be UTF-8", b[off]),
		Suggestion: "re-save the .proto file as UTF-8 (or remove the byte), then run protolift gen again",
	}, true
}

// ambiguousImports returns the imports a group's compilation took from
// another group's root while a third root has a different file of the
// same name: which one protoc would see depends on an -I order the
// repository does not state. Each maps to the files that offer it.
func (ws *workspace) ambiguousImports(own *group, groups []*group, comp *compiled) map[string][]string {
	out := map[string][]string{}
	for _, name := range comp.order {
		if p, ok := own.root.File(name); ok && ws.rd.Exists(p) {
			continue
		}
		declared := false
		for _, d := range ws.declared {
			if ws.rd.Exists(filepath.Join(d, filepath.FromSlash(name))) {
				declared = true
				break
			}
		}
		if declared {
			continue
		}
		var files []string
		var first []byte
		differ := false
		for _, g := range groups {
			p, ok := g.root.File(name)
			if !ok || !ws.rd.Exists(p) {
				continue
			}
			b, err := ws.rd.Read(p)
			if err != nil {
				continue
			}
			if len(files) == 0 {
				first = b
			} else if !bytes.Equal(first, b) {
				differ = true
			}
			rel, _ := filepath.Rel(ws.mod.Dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		if differ {
			out[name] = files
		}
	}
	return out
}

// ambiguousDiag reports a unit that imports an ambiguous file.
func ambiguousDiag(u *unit, comp *compiled, ambiguous map[string][]string) (change.Diagnostic, bool) {
	if len(ambiguous) == 0 {
		return change.Diagnostic{}, false
	}
	deps := comp.deps(u.source)
	var names []string
	for n := range ambiguous {
		if deps[n] && n != u.source {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return change.Diagnostic{}, false
	}
	sort.Strings(names)
	g := u.first()
	pos := change.PositionAt(g.content, g.sourceOff)
	return change.Diagnostic{
		Path: g.path, Start: pos, End: pos, Rule: SourceRule, Risk: change.Manual,
		Message:    fmt.Sprintf("cannot regenerate from %s: its import %s is ambiguous, the module has different files under that name (%s)", u.source, names[0], strings.Join(ambiguous[names[0]], ", ")),
		Suggestion: "name the root that holds the right file in a buf.yaml (or with -I in the protoc command of the Makefile or script), then run protolift gen again",
	}, true
}
