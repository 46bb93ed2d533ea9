package rewrite

import (
	"bytes"
	"go/scanner"
	"go/token"
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
// comments and spacing.
func sameTokens(a, b []byte) bool {
	scan := func(src []byte) []string {
		var s scanner.Scanner
		fset := token.NewFileSet()
		errs := 0
		s.Init(fset.AddFile("", -1, len(src)), src, func(token.Position, string) { errs++ }, 0)
		var out []string
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			out = append(out, tok.String()+lit)
		}
		if errs > 0 {
			return nil
		}
		return out
	}
	ta, tb := scan(a), scan(b)
	if ta == nil || tb == nil || len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if ta[i] != tb[i] {
			return false
		}
	}
	return true
}
