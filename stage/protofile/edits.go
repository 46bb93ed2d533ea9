package protofile

import (
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/protows"
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
// records (positions in src). Splices never overlap; if they did (a bug
// in a fix), the later one is left out so the output stays well-formed.
func applySplices(src []byte, sp []splice) ([]byte, []change.Edit) {
	edits := make([]protows.Edit, len(sp))
	for i, s := range sp {
		edits[i] = protows.Edit{Start: s.start, End: s.end, Text: s.text}
	}
	out, applied, _ := protows.Splice(src, 0, len(src), edits)
	var records []change.Edit
	for _, i := range applied {
		s := sp[i]
		records = append(records, change.Edit{
			Rule: s.rule, Risk: s.risk, Message: s.msg,
			Start: change.PositionAt(src, s.start), End: change.PositionAt(src, s.end),
		})
	}
	return []byte(out), records
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
func indentAt(src []byte, off int) string { return protows.LineIndent(src, off) }
