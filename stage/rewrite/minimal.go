package rewrite

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/udiff"
)

// keepUntouched returns the rewritten file with every line no rule
// changed exactly as it was in src.
//
// The printer's output differs from the original even where no rule
// touched the tree: gofmt reflows doc comments written before Go 1.19,
// dst moves some comments and blank lines. A reviewer must not have to
// read those lines. pristine is the printer's output for the unmodified
// tree and printed its output for the rewritten one, so the difference
// between the two is exactly what the rules did; those hunks are applied
// to src. A hunk that touches a line the printer itself changed grows to
// the surrounding run of such lines, which then takes the printed form.
// The result is accepted only if it has the same tokens as printed;
// otherwise printed is returned as it is.
func keepUntouched(src, pristine, printed []byte) []byte {
	if bytes.Equal(src, pristine) || bytes.Equal(pristine, printed) {
		return printed
	}
	S, A, B := splitKeep(src), splitKeep(pristine), splitKeep(printed)
	toS := align(pristine, src, len(A))
	type hunk struct {
		a0, a1 int // A lines [a0, a1) are replaced
		b0, b1 int // by B lines [b0, b1)
	}
	// Hunks of the rules' own changes, with B ranges.
	var hunks []hunk
	delta := 0
	for _, r := range udiff.Replacements(pristine, printed) {
		a0, a1 := r.OldStart-1, r.OldEnd-1
		n := len(splitKeep([]byte(r.Text)))
		if r.Text == "" {
			n = 0
		}
		b0 := a0 + delta
		hunks = append(hunks, hunk{a0, a1, b0, b0 + n})
		delta += n - (a1 - a0)
	}
	// A hunk whose first or last line the printer also changed (a line
	// with no counterpart in src) grows over the run of such lines on
	// that side, merging with a hunk it meets: the src lines between the
	// two anchors around the run are what it replaces. A hunk whose edge
	// lines src has unchanged replaces exactly their src counterparts, so
	// a line the printer changed next to it (a reflowed doc comment) and
	// a line only src has there (an import the printer sorted elsewhere)
	// stay as they were. An insertion between two changed lines grows
	// both ways.
	changedAt := func(a int) bool { return a >= 0 && a < len(A) && toS[a] < 0 }
	var grown []hunk
	for i := 0; i < len(hunks); {
		h := hunks[i]
		i++
		prevEnd := -1
		if n := len(grown); n > 0 {
			prevEnd = grown[n-1].a1
		}
		pure := h.a0 == h.a1 && changedAt(h.a0-1) && changedAt(h.a0)
		if pure || h.a0 < h.a1 && changedAt(h.a0) {
			for h.a0 > 0 && h.a0 > prevEnd && toS[h.a0-1] < 0 {
				h.a0--
				h.b0--
			}
		}
		if n := len(grown); n > 0 && h.a0 <= prevEnd {
			g := grown[n-1]
			grown = grown[:n-1]
			h.a0, h.b0 = g.a0, g.b0
		}
		for {
			if pure || h.a0 < h.a1 && changedAt(h.a1-1) {
				for h.a1 < len(A) && toS[h.a1] < 0 && (i >= len(hunks) || h.a1 < hunks[i].a0) {
					h.a1++
					h.b1++
				}
			}
			if i < len(hunks) && h.a1 >= hunks[i].a0 {
				h.a1, h.b1 = hunks[i].a1, hunks[i].b1
				pure = false
				i++
				continue
			}
			break
		}
		grown = append(grown, h)
	}
	var out []string
	next := 0 // next src line to copy
	for _, h := range grown {
		s0, s1 := srcRange(toS, len(S), h.a0, h.a1)
		if s0 < next || s1 < s0 {
			return printed
		}
		out = append(out, S[next:s0]...)
		out = append(out, B[h.b0:h.b1]...)
		next = s1
	}
	out = append(out, S[next:]...)
	res := []byte(strings.Join(out, ""))
	if !sameTokens(res, printed) {
		return printed
	}
	return res
}

// srcRange returns the src lines [s0, s1) that the pristine lines
// [a0, a1) of a hunk stand for (nS is the number of src lines). An edge
// line src has unchanged stands for its counterpart; an edge line the
// printer changed stands for everything up to the anchor beyond it. An
// insertion (a0 == a1) goes before the next anchor, or after the
// previous one when the next line is a changed one.
func srcRange(toS []int, nS, a0, a1 int) (s0, s1 int) {
	after := func(a int) int { // the src line after A line a-1's counterpart
		if a == 0 {
			return 0
		}
		return toS[a-1] + 1
	}
	before := func(a int) int { // A line a's counterpart, or the end
		if a == len(toS) {
			return nS
		}
		return toS[a]
	}
	if a0 == a1 {
		if a1 == len(toS) || toS[a1] >= 0 {
			s0 = before(a1)
		} else {
			s0 = after(a0)
		}
		return s0, s0
	}
	if toS[a0] >= 0 {
		s0 = toS[a0]
	} else {
		s0 = after(a0)
	}
	if toS[a1-1] >= 0 {
		s1 = toS[a1-1] + 1
	} else {
		s1 = before(a1)
	}
	return s0, s1
}

// splitKeep splits after each newline, keeping it.
func splitKeep(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	out := strings.SplitAfter(string(b), "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// align maps each of the n lines of old (0-based) to the line of new it
// is unchanged in, or -1 when the line was changed.
func align(old, new []byte, n int) []int {
	out := make([]int, n)
	i, j := 0, 0
	for _, r := range udiff.Replacements(old, new) {
		for ; i < r.OldStart-1; i, j = i+1, j+1 {
			out[i] = j
		}
		for ; i < r.OldEnd-1; i++ {
			out[i] = -1
		}
		if r.Text != "" {
			j += len(splitKeep([]byte(r.Text)))
		}
	}
	for ; i < n; i, j = i+1, j+1 {
		out[i] = j
	}
	return out
}

// sameTokens reports whether a and b are the same Go code apart from
// comments, spacing and the names under which a package is imported: a
// file may import one path twice under two names, which the printer
// merges into one (renaming the uses), while the lines no rule touched
// keep both; both forms mean the same. The import declarations compare
// as the sets of paths they import, and a use pkg.Name as path.Name. A
// file importing one path twice under one name (which does not compile)
// is never the same.
func sameTokens(a, b []byte) bool {
	scan := func(src []byte) (toks []string, paths map[string]bool) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "", src, parser.ImportsOnly)
		if err != nil {
			return nil, nil
		}
		paths = map[string]bool{}
		names := map[string]string{} // explicit import names → path
		end := 0
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				end = fset.Position(gd.End()).Offset
			}
		}
		specs := map[string]bool{}
		for _, is := range f.Imports {
			path, _ := strconv.Unquote(is.Path.Value)
			spec := path
			if is.Name != nil {
				spec = is.Name.Name + " " + path
			}
			if specs[spec] && (is.Name == nil || is.Name.Name != "_") {
				return nil, nil // imported twice under one name: does not compile
			}
			specs[spec] = true
			paths[path] = true
			if is.Name != nil && is.Name.Name != "_" && is.Name.Name != "." {
				names[is.Name.Name] = path
			}
		}
		var s scanner.Scanner
		errs := 0
		s.Init(fset.AddFile("", -1, len(src)), src, func(token.Position, string) { errs++ }, 0)
		type tk struct {
			tok token.Token
			lit string
		}
		var all []tk
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if off := fset.Position(pos).Offset; end > 0 && off < end && tok != token.PACKAGE && len(all) > 2 {
				continue // the import declarations: compared as paths
			}
			all = append(all, tk{tok, lit})
		}
		if errs > 0 {
			return nil, nil
		}
		for i, t := range all {
			if path, ok := names[t.lit]; ok && t.tok == token.IDENT && i+1 < len(all) && all[i+1].tok == token.PERIOD {
				toks = append(toks, "pkg "+path)
				continue
			}
			toks = append(toks, t.tok.String()+t.lit)
		}
		return toks, paths
	}
	ta, pa := scan(a)
	tb, pb := scan(b)
	if ta == nil || tb == nil || len(ta) != len(tb) || len(pa) != len(pb) {
		return false
	}
	for p := range pa {
		if !pb[p] {
			return false
		}
	}
	for i := range ta {
		if ta[i] != tb[i] {
			return false
		}
	}
	return true
}
