// Package udiff prints unified diffs (the format of GNU diff -u and git)
// from github.com/sergi/go-diff's line-mode diff, which has no unified
// printer of its own.
package udiff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// context is the number of unchanged lines shown around each change.
const context = 3

type op byte

const (
	keep op = ' '
	del  op = '-'
	ins  op = '+'
)

type line struct {
	op   op
	text string // including its trailing newline, if it has one
}

// Unified returns the unified diff of old and new, or nil if they are
// equal. oldName and newName go into the --- and +++ header lines.
func Unified(oldName, newName string, old, new []byte) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	lines := diffLines(string(old), string(new))
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	// oldNo and newNo are the 1-based numbers of the next line on each side.
	oldNo, newNo := 1, 1
	for i := 0; i < len(lines); {
		if lines[i].op == keep {
			i++
			oldNo++
			newNo++
			continue
		}
		// A hunk starts context lines before this change and extends
		// while changes are at most 2*context unchanged lines apart.
		start := max(i-context, 0)
		for k := start; k < i; k++ {
			oldNo--
			newNo--
		}
		end := i
		for j := i; j < len(lines); j++ {
			if lines[j].op != keep {
				end = j + 1
				continue
			}
			if j-end >= 2*context {
				break
			}
		}
		stop := min(end+context, len(lines))
		var oldCount, newCount int
		for _, l := range lines[start:stop] {
			if l.op != ins {
				oldCount++
			}
			if l.op != del {
				newCount++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", span(oldNo, oldCount), span(newNo, newCount))
		for _, l := range lines[start:stop] {
			out.WriteByte(byte(l.op))
			out.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		oldNo += oldCount
		newNo += newCount
		i = stop
	}
	return out.Bytes()
}

// span formats a hunk range as GNU diff does: "start,count", with
// ",count" omitted for one line and start one less for an empty range.
func span(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}

func diffLines(a, b string) []line {
	dmp := diffmatchpatch.New()
	ca, cb, table := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), table)
	var out []line
	for _, d := range diffs {
		o := keep
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			o = del
		case diffmatchpatch.DiffInsert:
			o = ins
		}
		for _, t := range splitLines(d.Text) {
			out = append(out, line{o, t})
		}
	}
	// Within each run of changes, print deletions before insertions, as
	// diff -u does.
	for i := 0; i < len(out); {
		if out[i].op == keep {
			i++
			continue
		}
		j := i
		for j < len(out) && out[j].op != keep {
			j++
		}
		var dels, inss []line
		for _, l := range out[i:j] {
			if l.op == del {
				dels = append(dels, l)
			} else {
				inss = append(inss, l)
			}
		}
		copy(out[i:], append(dels, inss...))
		i = j
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// Replacement says that lines OldStart..OldEnd-1 (1-based; OldEnd ==
// OldStart for a pure insertion before line OldStart) of the old text
// become Text. Review tools turn these into suggested changes.
type Replacement struct {
	OldStart, OldEnd int
	Text             string
}

// Replacements returns the changed runs of lines between old and new,
// in order, without context.
func Replacements(old, new []byte) []Replacement {
	if bytes.Equal(old, new) {
		return nil
	}
	var out []Replacement
	oldNo := 1
	lines := diffLines(string(old), string(new))
	for i := 0; i < len(lines); {
		if lines[i].op == keep {
			oldNo++
			i++
			continue
		}
		r := Replacement{OldStart: oldNo}
		var text strings.Builder
		for ; i < len(lines) && lines[i].op != keep; i++ {
			if lines[i].op == del {
				oldNo++
			} else {
				text.WriteString(lines[i].text)
			}
		}
		r.OldEnd, r.Text = oldNo, text.String()
		out = append(out, r)
	}
	return out
}
