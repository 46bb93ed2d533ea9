package protows

import (
	"sort"
	"strings"
)

// Edit replaces src[Start:End] with Text; Start == End inserts.
type Edit struct {
	Start, End int
	Text       string
}

// Splice applies the edits lying within src[from:to] to that range: in
// order of Start, an insertion before a replacement that starts at the
// same offset, otherwise in the order given. An edit that overlaps one
// applied before it is not applied: skipped lists it (by index into
// edits), so the caller decides whether that is an error. applied lists
// the applied edits, in the order applied.
func Splice(src []byte, from, to int, edits []Edit) (out string, applied, skipped []int) {
	order := make([]int, 0, len(edits))
	for i, e := range edits {
		if e.Start >= from && e.End <= to {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := edits[order[i]], edits[order[j]]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End < b.End
	})
	var sb strings.Builder
	pos := from
	for _, i := range order {
		e := edits[i]
		if e.Start < pos {
			skipped = append(skipped, i)
			continue
		}
		sb.Write(src[pos:e.Start])
		sb.WriteString(e.Text)
		pos = e.End
		applied = append(applied, i)
	}
	sb.Write(src[pos:to])
	return sb.String(), applied, skipped
}

// LineIndent returns the whitespace that starts the line holding off.
func LineIndent(src []byte, off int) string {
	s := off
	for s > 0 && src[s-1] != '\n' {
		s--
	}
	e := s
	for e < len(src) && (src[e] == ' ' || src[e] == '\t') {
		e++
	}
	return string(src[s:e])
}
