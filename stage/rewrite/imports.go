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
	specs := func(f *ast.File) map[spec]bool {
		m := map[spec]bool{}
		for _, s := range f.Imports {
			p, _ := strconv.Unquote(s.Path.Value)
			n := ""
			if s.Name != nil {
				n = s.Name.Name
			}
			m[spec{n, p}] = true
		}
		return m
	}
	before, after := specs(of), specs(nf)
	// Where the original layout has no good place for a change, dst's
	// own layout (standard library first, then the rest) is kept: a
	// removed import that carries a comment (dst moves the comment with
	// the replacement), or a standard-library import added to a file
	// that had none (it deserves a group of its own).
	hasStd := false
	origStart, origEnd := importRegion(fset, of)
	// An added import that replaces a removed one (the same local name,
	// or the next APIv2 package for the next APIv1 one) takes its place
	// in its group; a removed import that carries a comment
	// (`//nolint:staticcheck` after it, a doc line above it) goes with
	// its comment. Both are edits of the original text, so the groups
	// around them keep their layout.
	type edit struct {
		start, end int // relative to origStart
		text       string
	}
	var edits []edit
	removed := map[spec]*ast.ImportSpec{}
	var removedOrder []spec
	for _, is := range of.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		hasStd = hasStd || isStd(p)
		n := ""
		if is.Name != nil {
			n = is.Name.Name
		}
		if !after[spec{n, p}] {
			removed[spec{n, p}] = is
			removedOrder = append(removedOrder, spec{n, p})
		}
	}
	partner := map[spec]spec{} // removed → added
	taken := map[spec]bool{}
	var added []spec
	for _, a := range sortedSpecs(after) {
		if !before[a] {
			added = append(added, a)
		}
	}
	for _, r := range removedOrder {
		for _, a := range added {
			if !taken[a] && localName(a) == localName(r) {
				partner[r], taken[a] = a, true
				break
			}
		}
	}
	for _, r := range removedOrder {
		if _, ok := partner[r]; ok || !strings.HasPrefix(r.path, "github.com/golang/protobuf/") {
			continue
		}
		for _, a := range added {
			if !taken[a] && strings.HasPrefix(a.path, "google.golang.org/protobuf/") {
				partner[r], taken[a] = a, true
				break
			}
		}
	}
	for _, r := range removedOrder {
		is := removed[r]
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
		if a, ok := partner[r]; ok && ownLine {
			text := strconv.Quote(a.path)
			if a.name != "" {
				text = a.name + " " + text
			}
			edits = append(edits, edit{ls - origStart, end + le - origStart, string(orig[ls:fset.Position(is.Pos()).Offset]) + text})
			continue
		}
		delete(partner, r)
		if is.Doc == nil && is.Comment == nil {
			continue // astutil deletes it below
		}
		if !ownLine {
			return out
		}
		edits = append(edits, edit{ls - origStart, end + le + 1 - origStart, ""})
	}
	placed := map[spec]bool{}
	for r, a := range partner {
		placed[a], placed[r] = true, true
	}
	for s := range after {
		if !before[s] && !placed[s] && isStd(s.path) && !hasStd {
			return out
		}
	}

	outStart, outEnd := importRegion(fset, nf)
	const header = "package p\n\n"
	region0 := append([]byte(nil), orig[origStart:origEnd]...)
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		region0 = append(region0[:e.start], append([]byte(e.text), region0[e.end:]...)...)
	}
	mini := append([]byte(header), region0...)
	mfset := token.NewFileSet()
	mf, err := parser.ParseFile(mfset, "", mini, parser.ParseComments)
	if err != nil {
		return out
	}
	// Add before deleting, so that an import replacing one that goes
	// away can join its group (third-party next to third-party) before
	// that group empties.
	for _, s := range sortedSpecs(after) {
		if !before[s] && !placed[s] {
			astutil.AddNamedImport(mfset, mf, s.name, s.path)
		}
	}
	for _, s := range sortedSpecs(before) {
		if !after[s] && !placed[s] {
			astutil.DeleteNamedImport(mfset, mf, s.name, s.path)
		}
	}
	// A block left with one import prints without parentheses, unless
	// the file already wrote a single import in parentheses (its style).
	parenSingle := false
	for _, d := range of.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && len(g.Specs) == 1 && g.Lparen.IsValid() {
			parenSingle = true
		}
	}
	for _, d := range mf.Decls {
		if parenSingle {
			break
		}
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && len(g.Specs) == 1 {
			if is := g.Specs[0].(*ast.ImportSpec); is.Doc == nil && is.Comment == nil {
				g.Lparen, g.Rparen = token.NoPos, token.NoPos
			}
		}
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, mfset, mf); err != nil {
		return out
	}
	region := bytes.TrimPrefix(buf.Bytes(), []byte(header))
	region = bytes.TrimRight(region, "\n")
	res := append(append(append([]byte(nil), out[:outStart]...), region...), out[outEnd:]...)
	if formatted, err := format.Source(res); err == nil {
		return formatted
	}
	return out
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
