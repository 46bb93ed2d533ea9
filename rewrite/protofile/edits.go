package protofile

import (
	"sort"
	"strings"

	"github.com/protolift/protolift/internal/change"
)

// splice replaces src[start:end) with text. Splices of one file never
// overlap; a zero-length splice is an insertion.
type splice struct {
	start, end int
	text       string
	rule       string
	risk       change.Risk
	msg        string
}

// applySplices returns src with every splice applied, plus the change.Edit
// records (positions in src).
func applySplices(src []byte, sp []splice) ([]byte, []change.Edit) {
	sort.SliceStable(sp, func(i, j int) bool {
		if sp[i].start != sp[j].start {
			return sp[i].start < sp[j].start
		}
		return sp[i].end < sp[j].end
	})
	var b strings.Builder
	var edits []change.Edit
	pos := 0
	for _, s := range sp {
		if s.start < pos {
			// Overlap would be a bug in a rule; the later splice loses so the
			// output stays well-formed.
			continue
		}
		b.Write(src[pos:s.start])
		b.WriteString(s.text)
		pos = s.end
		edits = append(edits, change.Edit{
			Rule: s.rule, Risk: s.risk, Message: s.msg,
			Start: change.PositionAt(src, s.start), End: change.PositionAt(src, s.end),
		})
	}
	b.Write(src[pos:])
	return []byte(b.String()), edits
}

// offsetMap translates offsets in the spliced text back to the original, so
// diagnostics found after fixing point at the bytes the user wrote.
type offsetMap struct{ sp []splice }

func (m offsetMap) back(off int) int {
	delta := 0
	for _, s := range m.sp {
		newStart := s.start + delta
		newEnd := newStart + len(s.text)
		if off < newStart {
			break
		}
		if off < newEnd {
			return s.start
		}
		delta += len(s.text) - (s.end - s.start)
	}
	return off - delta
}

// lineEnding is the file's own newline sequence.
func lineEnding(src []byte) string {
	if i := strings.Index(string(src), "\n"); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// indentAt returns the whitespace that starts the line containing off.
func indentAt(src []byte, off int) string {
	ls := off
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	e := ls
	for e < len(src) && (src[e] == ' ' || src[e] == '\t') {
		e++
	}
	return string(src[ls:e])
}
