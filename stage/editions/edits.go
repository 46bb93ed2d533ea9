package editions

import (
	"fmt"
	"strings"

	"github.com/protolift/protolift/internal/protows"
)

// editList collects the edits of one conversion. Insertions at one
// offset keep the order they were made in.
type editList struct {
	list []protows.Edit
}

func (l *editList) add(start, end int, text string) {
	l.list = append(l.list, protows.Edit{Start: start, End: end, Text: text})
}

// apply splices the edits lying within src[from:to] into that range.
func (l *editList) apply(src []byte, from, to int) (string, error) {
	out, _, skipped := protows.Splice(src, from, to, l.list)
	if len(skipped) > 0 {
		return "", fmt.Errorf("overlapping edits at byte %d (internal error in the editions converter)", l.list[skipped[0]].Start)
	}
	return out, nil
}

// take removes the edits lying strictly inside (from, to) and returns the
// text of src[from:to] with them applied; the caller moves that text.
func (l *editList) take(src []byte, from, to int) (string, error) {
	var inside, rest []protows.Edit
	for _, e := range l.list {
		if e.Start > from && e.End < to {
			inside = append(inside, e)
		} else {
			rest = append(rest, e)
		}
	}
	sub := editList{list: inside}
	s, err := sub.apply(src, from, to)
	l.list = rest
	return s, err
}

// lineIndent returns the whitespace that starts the line holding off.
func lineIndent(src []byte, off int) string { return protows.LineIndent(src, off) }

// lineEnd returns where text can be inserted after the statement ending at
// off so that a trailing comment on the same line stays with its statement.
func lineEnd(src []byte, off int) int {
	e := off
	for e < len(src) && src[e] != '\n' {
		e++
	}
	rest := string(src[off:e])
	if t := strings.TrimSpace(rest); t != "" && !strings.HasPrefix(t, "//") && !strings.HasPrefix(t, "/*") {
		// Another declaration follows on this line: insert before it so
		// declaration order (and with it field order) is kept.
		return off
	}
	if i := strings.LastIndex(rest, "/*"); i >= 0 && !strings.Contains(rest[i:], "*/") {
		// A block comment continues on the next line: inserting at the end
		// of this line would land inside it.
		return off
	}
	return e
}
