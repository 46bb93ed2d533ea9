package rewrite

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// keepImportLayout puts the import declarations of the original file
// back into the rewritten one, with the imports the rewrite removed
// deleted and the ones it added inserted into the best-matching group.
// dst's restorer would otherwise merge every group (standard library,
// third party, the module's own packages) into one sorted block, which
// turns a one-line change into a noisy diff that reviewers must check.
func keepImportLayout(orig, out []byte) []byte {
	fset := token.NewFileSet()
	of, err := parser.ParseFile(fset, "", orig, parser.ImportsOnly|parser.ParseComments)
	if err != nil || len(of.Imports) == 0 {
		return out
	}
	nf, err := parser.ParseFile(fset, "", out, parser.ImportsOnly|parser.ParseComments)
	if err != nil || len(nf.Imports) == 0 {
		return out
	}
	d := diffImports(of, nf)
	d.pair()
	origStart, origEnd := importRegion(fset, of)
	// Where the original layout has no good place for a change, dst's
	// own layout (standard library first, then the rest) is kept: a
	// removed import that carries a comment but is not on a line of its
	// own, or a standard-library import added to a file that had none
	// (it deserves a group of its own).
	edits, ok := d.inPlaceEdits(fset, orig, origStart, origEnd)
	if !ok || d.addsFirstStd() {
		return out
	}
	region, ok := d.relayout(orig[origStart:origEnd], edits, parenthesizedSingle(of))
	if !ok {
		return out
	}
	outStart, outEnd := importRegion(fset, nf)
	res := append(append(append([]byte(nil), out[:outStart]...), region...), out[outEnd:]...)
	if formatted, err := format.Source(res); err == nil {
		return formatted
	}
	return out
}

// importDiff is what a rewrite did to a file's imports.
type importDiff struct {
	before, after map[spec]bool
	removed       []spec // in source order
	removedSpec   map[spec]*ast.ImportSpec
	added         []spec // sorted
	hasStd        bool   // the original imports a standard-library package
	// partner maps a removed import to the added one that takes its
	// place; placed holds both sides of each pair.
	partner map[spec]spec
	placed  map[spec]bool
}

func specOf(is *ast.ImportSpec) spec {
	p, _ := strconv.Unquote(is.Path.Value)
	n := ""
	if is.Name != nil {
		n = is.Name.Name
	}
	return spec{n, p}
}

func diffImports(of, nf *ast.File) *importDiff {
	d := &importDiff{before: map[spec]bool{}, after: map[spec]bool{}, removedSpec: map[spec]*ast.ImportSpec{}, partner: map[spec]spec{}, placed: map[spec]bool{}}
	for _, is := range nf.Imports {
		d.after[specOf(is)] = true
	}
	for _, is := range of.Imports {
		s := specOf(is)
		d.before[s] = true
		d.hasStd = d.hasStd || isStd(s.path)
		if !d.after[s] {
			d.removedSpec[s] = is
			d.removed = append(d.removed, s)
		}
	}
	for _, a := range sortedSpecs(d.after) {
		if !d.before[a] {
			d.added = append(d.added, a)
		}
	}
	return d
}

// pair matches added imports to the removed ones they replace: the same
// local name first, then the next APIv2 package for the next APIv1 one.
func (d *importDiff) pair() {
	taken := map[spec]bool{}
	match := func(r spec, ok func(a spec) bool) {
		if _, done := d.partner[r]; done {
			return
		}
		for _, a := range d.added {
			if !taken[a] && ok(a) {
				d.partner[r], taken[a] = a, true
				return
			}
		}
	}
	for _, r := range d.removed {
		match(r, func(a spec) bool { return localName(a) == localName(r) })
	}
	for _, r := range d.removed {
		if strings.HasPrefix(r.path, "github.com/golang/protobuf/") {
			match(r, func(a spec) bool { return strings.HasPrefix(a.path, "google.golang.org/protobuf/") })
		}
	}
}

// importEdit replaces bytes [start, end) of the import region.
type importEdit struct {
	start, end int
	text       string
}

// inPlaceEdits edits the original import region where a removed import
// sits on a line of its own: an added partner takes its line (and its
// group), and a removed import with a comment (`//nolint:staticcheck`
// after it, a doc line above it) goes with its comment. Both are edits
// of the original text, so the groups around them keep their layout.
// It reports false when a commented import shares its line, which only
// dst's layout can handle.
func (d *importDiff) inPlaceEdits(fset *token.FileSet, orig []byte, origStart, origEnd int) ([]importEdit, bool) {
	var edits []importEdit
	for _, r := range d.removed {
		is := d.removedSpec[r]
		start, end := fset.Position(is.Pos()).Offset, fset.Position(is.End()).Offset
		if is.Doc != nil {
			start = fset.Position(is.Doc.Pos()).Offset
		}
		if is.Comment != nil {
			end = fset.Position(is.Comment.End()).Offset
		}
		ls := bytes.LastIndexByte(orig[:start], '\n') + 1
		le := bytes.IndexByte(orig[end:], '\n')
		ownLine := le >= 0 && strings.TrimSpace(string(orig[ls:start])) == "" && ls >= origStart && end+le <= origEnd
		if a, ok := d.partner[r]; ok && ownLine {
			text := strconv.Quote(a.path)
			if a.name != "" {
				text = a.name + " " + text
			}
			edits = append(edits, importEdit{ls - origStart, end + le - origStart, string(orig[ls:fset.Position(is.Pos()).Offset]) + text})
			d.placed[a], d.placed[r] = true, true
			continue
		}
		delete(d.partner, r)
		if is.Doc == nil && is.Comment == nil {
			continue // relayout deletes it
		}
		if !ownLine {
			return nil, false
		}
		edits = append(edits, importEdit{ls - origStart, end + le + 1 - origStart, ""})
	}
	return edits, true
}

// addsFirstStd reports whether the rewrite adds a standard-library
// import, not replacing another, to a file that had none.
func (d *importDiff) addsFirstStd() bool {
	for _, a := range d.added {
		if !d.placed[a] && isStd(a.path) && !d.hasStd {
			return true
		}
	}
	return false
}

// parenthesizedSingle reports whether f writes a single import in
// parentheses, a style a block left with one import keeps.
func parenthesizedSingle(f *ast.File) bool {
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && len(g.Specs) == 1 && g.Lparen.IsValid() {
			return true
		}
	}
	return false
}

// relayout applies edits to the original import region, then adds the
// imports no edit placed and deletes the removed ones no edit took, and
// prints the region again.
func (d *importDiff) relayout(region0 []byte, edits []importEdit, parenSingle bool) ([]byte, bool) {
	region0 = append([]byte(nil), region0...)
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		region0 = append(region0[:e.start], append([]byte(e.text), region0[e.end:]...)...)
	}
	const header = "package p\n\n"
	mini := append([]byte(header), region0...)
	mfset := token.NewFileSet()
	mf, err := parser.ParseFile(mfset, "", mini, parser.ParseComments)
	if err != nil {
		return nil, false
	}
	// Add before deleting, so that an import replacing one that goes
	// away can join its group (third-party next to third-party) before
	// that group empties.
	for _, s := range d.added {
		if !d.placed[s] {
			astutil.AddNamedImport(mfset, mf, s.name, s.path)
		}
	}
	for _, s := range sortedSpecs(d.before) {
		if !d.after[s] && !d.placed[s] {
			astutil.DeleteNamedImport(mfset, mf, s.name, s.path)
		}
	}
	// A block left with one import prints without parentheses, unless
	// the file already wrote a single import in parentheses (its style).
	for _, decl := range mf.Decls {
		if parenSingle {
			break
		}
		if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.IMPORT && len(g.Specs) == 1 {
			if is := g.Specs[0].(*ast.ImportSpec); is.Doc == nil && is.Comment == nil {
				g.Lparen, g.Rparen = token.NoPos, token.NoPos
			}
		}
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, mfset, mf); err != nil {
		return nil, false
	}
	region := bytes.TrimPrefix(buf.Bytes(), []byte(header))
	return bytes.TrimRight(region, "\n"), true
}

type spec struct{ name, path string }

// localName is the name an import declares in the file (ignoring
// major-version suffixes and package names that differ from the last
// path element, which only an explicit name would change).
func localName(s spec) string {
	if s.name != "" {
		return s.name
	}
	return path.Base(s.path)
}

// sortedSpecs orders a set of imports so the result does not depend on
// map iteration.
func sortedSpecs(m map[spec]bool) []spec {
	out := make([]spec, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].name < out[j].name
	})
	return out
}

// isStd reports whether an import path belongs to the standard library:
// its first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// importRegion returns the byte range from the first import declaration
// to the end of the last one.
func importRegion(fset *token.FileSet, f *ast.File) (start, end int) {
	start, end = -1, -1
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			break
		}
		if start < 0 {
			start = fset.Position(g.Pos()).Offset
			if g.Doc != nil {
				start = fset.Position(g.Doc.Pos()).Offset
			}
		}
		end = fset.Position(g.End()).Offset
	}
	return start, end
}
