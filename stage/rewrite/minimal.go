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
	// Grow each hunk until the lines on both sides are lines src has
	// unchanged, merging hunks that meet: the src lines between those
	// two anchors are what the hunk replaces.
	var grown []hunk
	for i := 0; i < len(hunks); {
		h := hunks[i]
		i++
		prevEnd := -1
		if n := len(grown); n > 0 {
			prevEnd = grown[n-1].a1
		}
		for h.a0 > 0 && h.a0 > prevEnd && toS[h.a0-1] < 0 {
			h.a0--
			h.b0--
		}
		if n := len(grown); n > 0 && h.a0 <= prevEnd {
			g := grown[n-1]
			grown = grown[:n-1]
			h.a0, h.b0 = g.a0, g.b0
		}
		for {
			for h.a1 < len(A) && toS[h.a1] < 0 && (i >= len(hunks) || h.a1 < hunks[i].a0) {
				h.a1++
				h.b1++
			}
			if i < len(hunks) && h.a1 >= hunks[i].a0 {
				h.a1, h.b1 = hunks[i].a1, hunks[i].b1
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
		s0 := 0
		if h.a0 > 0 {
			s0 = toS[h.a0-1] + 1
		}
		s1 := len(S)
		if h.a1 < len(A) {
			s1 = toS[h.a1]
		}
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
// as the sets of paths they import, and a use pkg.Name as path.Name.
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
		for _, is := range f.Imports {
			path, _ := strconv.Unquote(is.Path.Value)
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
