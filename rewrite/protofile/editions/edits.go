package editions

import (
	"fmt"
	"sort"
	"strings"
)

// edit replaces src[start:end] with text. Insertions have start == end;
// several insertions at one offset keep the order they were made in.
type edit struct {
	start, end int
	text       string
	seq        int
}

type editList struct {
	list []edit
	seq  int
}

func (l *editList) add(start, end int, text string) {
	l.seq++
	l.list = append(l.list, edit{start: start, end: end, text: text, seq: l.seq})
}

func (l *editList) sorted() []edit {
	out := append([]edit(nil), l.list...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		// An insertion at an offset goes before a replacement starting there.
		if (out[i].start == out[i].end) != (out[j].start == out[j].end) {
			return out[i].start == out[i].end
		}
		return out[i].seq < out[j].seq
	})
	return out
}

// apply splices the edits lying within src[from:to] into that range.
func (l *editList) apply(src []byte, from, to int) (string, error) {
	var b strings.Builder
	pos := from
	for _, e := range l.sorted() {
		if e.start < from || e.end > to {
			continue
		}
		if e.start < pos {
			return "", fmt.Errorf("overlapping edits at byte %d (internal error in the editions converter)", e.start)
		}
		b.Write(src[pos:e.start])
		b.WriteString(e.text)
		pos = e.end
	}
	b.Write(src[pos:to])
	return b.String(), nil
}

// take removes the edits lying strictly inside (from, to) and returns the
// text of src[from:to] with them applied; the caller moves that text.
func (l *editList) take(src []byte, from, to int) (string, error) {
	var inside, rest []edit
	for _, e := range l.list {
		if e.start > from && e.end < to {
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
func lineIndent(src []byte, off int) string {
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
