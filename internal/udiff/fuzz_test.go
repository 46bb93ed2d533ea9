package udiff

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// applyUnified applies a unified diff as Unified prints it to old, checking
// every context and deleted line against old, and returns the new text.
func applyUnified(old []byte, diff []byte) ([]byte, error) {
	src := splitLines(string(old))
	lines := splitLines(string(diff))
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return nil, fmt.Errorf("no --- / +++ header")
	}
	var out strings.Builder
	next := 0 // index into src of the next line not yet copied
	i := 2
	for i < len(lines) {
		h := lines[i]
		f := strings.Fields(h)
		if len(f) != 4 || f[0] != "@@" || f[3] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
			return nil, fmt.Errorf("line %d: bad hunk header %q", i+1, h)
		}
		oldStart, oc, err := parseSpan(f[1][1:])
		if err != nil {
			return nil, err
		}
		_, nc, err := parseSpan(f[2][1:])
		if err != nil {
			return nil, err
		}
		start := oldStart - 1 // 0-based first old line of the hunk
		if oc == 0 {
			start = oldStart // "N,0" means after line N
		}
		if start < next || start > len(src) {
			return nil, fmt.Errorf("hunk %q starts at old line %d, already at %d of %d", h, start+1, next+1, len(src))
		}
		for _, l := range src[next:start] {
			out.WriteString(l)
		}
		next = start
		i++
		gotOld, gotNew := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@ ") {
			l := lines[i]
			text := l[1:]
			noEOL := i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n"
			if noEOL {
				text = strings.TrimSuffix(text, "\n")
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(src) || src[next] != text {
					return nil, fmt.Errorf("line %d: %q does not match old line %d", i+1, l, next+1)
				}
				next++
				gotOld++
				if l[0] == ' ' {
					out.WriteString(text)
					gotNew++
				}
			case '+':
				out.WriteString(text)
				gotNew++
			default:
				return nil, fmt.Errorf("line %d: unexpected %q", i+1, l)
			}
			i++
			if noEOL {
				i++
			}
		}
		if gotOld != oc || gotNew != nc {
			return nil, fmt.Errorf("hunk %q has %d old and %d new lines", strings.TrimSpace(h), gotOld, gotNew)
		}
	}
	for _, l := range src[next:] {
		out.WriteString(l)
	}
	return []byte(out.String()), nil
}

func parseSpan(s string) (start, count int, err error) {
	a, b, ok := strings.Cut(s, ",")
	if start, err = strconv.Atoi(a); err != nil {
		return 0, 0, err
	}
	count = 1
	if ok {
		if count, err = strconv.Atoi(b); err != nil {
			return 0, 0, err
		}
	}
	return start, count, nil
}

// applyReplacements applies Replacements to old.
func applyReplacements(old []byte, rs []Replacement) ([]byte, error) {
	src := splitLines(string(old))
	var out strings.Builder
	next := 1
	for _, r := range rs {
		if r.OldStart < next || r.OldEnd < r.OldStart || r.OldEnd-1 > len(src) {
			return nil, fmt.Errorf("replacement %+v out of order or range (next %d, %d lines)", r, next, len(src))
		}
		for _, l := range src[next-1 : r.OldStart-1] {
			out.WriteString(l)
		}
		out.WriteString(r.Text)
		next = r.OldEnd
	}
	for _, l := range src[next-1:] {
		out.WriteString(l)
	}
	return []byte(out.String()), nil
}

// FuzzUnified: applying the printed diff to the old text gives the new
// text, and so do the Replacements; equal texts give no diff.
func FuzzUnified(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"))
	f.Add([]byte("x"), []byte("y"))
	f.Add([]byte(""), []byte("a\n"))
	f.Add([]byte("a\n"), []byte(""))
	f.Add([]byte("a\r\nb\r\n"), []byte("a\r\nc\r\nb"))
	// Real before/after pairs: the Go and .proto goldens.
	for _, g := range []string{"../../rules/grpc/testdata/*/*.go", "../../stage/protofile/testdata/golden/*.proto"} {
		ins, _ := filepath.Glob(g)
		for _, in := range ins {
			a, err1 := os.ReadFile(in)
			b, err2 := os.ReadFile(in + ".golden")
			if err1 == nil && err2 == nil {
				f.Add(a, b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, old, new []byte) {
		d := Unified("a", "b", old, new)
		if bytes.Equal(old, new) {
			if d != nil {
				t.Fatalf("diff of equal texts: %q", d)
			}
			return
		}
		got, err := applyUnified(old, d)
		if err != nil {
			t.Fatalf("diff does not apply: %v\n%s", err, d)
		}
		if !bytes.Equal(got, new) {
			t.Fatalf("applying the diff gives %q, want %q\n%s", got, new, d)
		}
		got, err = applyReplacements(old, Replacements(old, new))
		if err != nil || !bytes.Equal(got, new) {
			t.Fatalf("applying Replacements gives %q (%v), want %q", got, err, new)
		}
	})
}
