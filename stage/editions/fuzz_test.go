package editions

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// FuzzConvert converts arbitrary files to edition 2023. It never panics;
// a file that compiles is either converted, with an output that compiles,
// is proven equivalent and converts to itself again, or comes back
// unchanged with a manual finding that says why.
func FuzzConvert(f *testing.F) {
	var seeds []string
	for _, g := range []string{"testdata/convert/*.proto", "testdata/convert/*.golden", "../protofile/testdata/*/*.proto", "../protofile/testdata/*/*/*.proto"} {
		m, _ := filepath.Glob(g)
		seeds = append(seeds, m...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed files")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// The file lives only in the overlay; its imports resolve to the
	// standard files or nowhere.
	path := "/protolift-fuzz/api/a.proto"
	f.Fuzz(func(t *testing.T, src []byte) {
		o := Options{Overlay: map[string][]byte{path: src}}
		ctx := context.Background()
		_, cerr := o.compile(ctx, path, src)
		out, diags, err := o.ConvertProven(ctx, path, src, "2023")
		if cerr != nil {
			if err == nil && !bytes.Equal(out, src) {
				t.Fatalf("input does not compile (%v) but was converted:\n%s", cerr, out)
			}
			return
		}
		if err != nil {
			t.Fatalf("input compiles, conversion failed: %v", err)
		}
		if bytes.Equal(out, src) {
			if !usesEditions(src) && !hasManual(diags) {
				t.Fatalf("file left unconverted without a manual finding; diags: %v", diags)
			}
			return
		}
		if !usesEditions(out) {
			t.Fatalf("converted output does not start with an edition statement:\n%s", out)
		}
		if _, err := o.compile(ctx, path, out); err != nil {
			t.Fatalf("converted output does not compile: %v\n--- output ---\n%s", err, out)
		}
		pd, err := Prove(ctx, ProveInput{Path: path, Before: src, After: out, Overlay: o.Overlay})
		if err != nil || len(pd) > 0 {
			var msgs []string
			for _, d := range pd {
				msgs = append(msgs, d.Message)
			}
			t.Fatalf("kept conversion is not proven: err=%v diffs=%s\n--- output ---\n%s", err, strings.Join(msgs, "; "), out)
		}
		again, d2, err := o.Convert(path, out, "2023")
		if err != nil || !bytes.Equal(again, out) || len(d2) > 0 {
			t.Fatalf("second conversion is not a no-op: err=%v diags=%v", err, d2)
		}
	})
}

// FuzzEditList checks the converter's edit list against a reference: the
// edits inside [from,to) applied in the documented order (insertions
// before replacements at one offset, then in the order they were added),
// overlaps reported as errors rather than mangled text.
func FuzzEditList(f *testing.F) {
	f.Add([]byte("syntax = \"proto2\";\nmessage M {}\n"), []byte{0, 18, 3, 5, 0, 2, 5, 2, 1})
	f.Add([]byte("abcdef"), []byte{2, 0, 1, 2, 0, 2, 2, 2, 0})
	f.Fuzz(func(t *testing.T, src, spec []byte) {
		n := len(src)
		var l editList
		for i := 0; i+2 < len(spec); i += 3 {
			s := int(spec[i]) % (n + 1)
			e := min(s+int(spec[i+1])%3, n)
			l.add(s, e, strings.Repeat(string(rune('A'+i%26)), int(spec[i+2])%3))
		}
		from, to := 0, n
		if len(spec) > 0 {
			from = int(spec[0]) % (n + 1)
			to = from + int(spec[len(spec)-1])%(n-from+1)
		}
		got, err := l.apply(src, from, to)
		// Reference: by start, an insertion before a replacement at the
		// same offset, otherwise in the order added.
		idx := make([]int, 0, len(l.list))
		for i, e := range l.list {
			if e.Start >= from && e.End <= to {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(i, j int) bool {
			a, b := l.list[idx[i]], l.list[idx[j]]
			if a.Start != b.Start {
				return a.Start < b.Start
			}
			if (a.Start == a.End) != (b.Start == b.End) {
				return a.Start == a.End
			}
			return false
		})
		var want strings.Builder
		pos := from
		overlap := false
		for _, i := range idx {
			e := l.list[i]
			if e.Start < pos {
				overlap = true
				break
			}
			want.Write(src[pos:e.Start])
			want.WriteString(e.Text)
			pos = e.End
		}
		if overlap {
			if err == nil {
				t.Fatalf("overlapping edits applied without an error: %q", got)
			}
			return
		}
		want.Write(src[pos:to])
		if err != nil || got != want.String() {
			t.Fatalf("apply = %q, %v; want %q", got, err, want.String())
		}
		// take removes exactly the edits strictly inside and returns the
		// same text apply gives for them.
		before := len(l.list)
		var inside int
		for _, e := range l.list {
			if e.Start > from && e.End < to {
				inside++
			}
		}
		if _, err := l.take(src, from, to); err == nil && len(l.list) != before-inside {
			t.Fatalf("take left %d edits, want %d", len(l.list), before-inside)
		}
	})
}
