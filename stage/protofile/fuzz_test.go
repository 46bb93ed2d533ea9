package protofile

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/parser"
	"github.com/bufbuild/protocompile/reporter"

	"github.com/protolift/protolift/internal/change"
)

// addProtoSeeds adds every .proto (and .proto.golden) file under the
// package's testdata and the editions converter's testdata as seeds.
func addProtoSeeds(f *testing.F) {
	f.Helper()
	n := 0
	for _, root := range []string{"testdata", filepath.Join("..", "editions", "testdata")} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if !strings.HasSuffix(p, ".proto") && !strings.HasSuffix(p, ".proto.golden") && !strings.HasSuffix(p, ".golden") {
				return nil
			}
			if strings.HasSuffix(p, "diagnostics.golden") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(b)
			n++
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	if n == 0 {
		f.Fatal("no seed .proto files under testdata")
	}
}

// FuzzLex: the lexer never panics, its tokens lie in order inside the
// source, each token's text is its bytes, and only whitespace is left
// between tokens.
func FuzzLex(f *testing.F) {
	addProtoSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		toks := lex(src)
		pos := 0
		for i, tk := range toks {
			if tk.start < pos || tk.end < tk.start || tk.end > len(src) {
				t.Fatalf("token %d [%d,%d) out of order or bounds (prev end %d, len %d)", i, tk.start, tk.end, pos, len(src))
			}
			if tk.end == tk.start {
				t.Fatalf("token %d at %d is empty", i, tk.start)
			}
			if tk.text != string(src[tk.start:tk.end]) {
				t.Fatalf("token %d text %q is not its bytes %q", i, tk.text, src[tk.start:tk.end])
			}
			for _, c := range src[pos:tk.start] {
				if !strings.ContainsRune(" \t\n\r\f\v", rune(c)) {
					t.Fatalf("byte %q before token %d was dropped", c, i)
				}
			}
			pos = tk.end
		}
		for _, c := range src[pos:] {
			if !strings.ContainsRune(" \t\n\r\f\v", rune(c)) {
				t.Fatalf("trailing byte %q was dropped", c)
			}
		}
		// The helpers built on tokens must not panic either.
		syntax, _ := fileSyntaxEdition(toks)
		_ = declaredGoPackage(toks)
		for _, b := range findBodies(significant(toks)) {
			_ = b
		}
		_ = fixReserved(src, toks, syntax, func(int, int, change.Risk, string, string) {})
	})
}

func runOverlay(t *testing.T, src []byte, edition string) *change.Set {
	t.Helper()
	// The module directory exists (the stage looks for workspace files
	// in it); go.mod and the file come from the overlay, never the disk.
	fuzzModule := t.TempDir()
	path := filepath.Join(fuzzModule, "api", "v1", "a.proto")
	set, err := Run(context.Background(), Options{
		ModuleDir: fuzzModule,
		Paths:     []string{path},
		Edition:   edition,
		Overlay: map[string][]byte{
			filepath.Join(fuzzModule, "go.mod"): []byte("module example.com/fuzz\n\ngo 1.26\n"),
			path:                                src,
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return set
}

// parses reports whether src parses without a syntax error.
func parses(src []byte) (bool, string) {
	var first string
	h := reporter.NewHandler(reporter.NewReporter(func(e reporter.ErrorWithPos) error {
		if first == "" {
			first = e.Error()
		}
		return nil
	}, nil))
	fn, err := parser.Parse("a.proto", bytes.NewReader(src), h)
	if fn == nil || first != "" {
		if first == "" && err != nil {
			first = err.Error()
		}
		return false, first
	}
	return true, ""
}

// compiles reports whether src compiles as a file with only the standard
// imports available.
func compiles(src []byte) (bool, string) {
	name := "api/v1/a.proto"
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(protocompile.ResolverFunc(func(n string) (protocompile.SearchResult, error) {
			if n == name {
				return protocompile.SearchResult{Source: bytes.NewReader(src)}, nil
			}
			return protocompile.SearchResult{}, os.ErrNotExist
		})),
		MaxParallelism: 1,
	}
	var first string
	c.Reporter = reporter.NewReporter(func(e reporter.ErrorWithPos) error {
		if first == "" {
			first = e.Error()
		}
		return nil
	}, nil)
	_, err := c.Compile(context.Background(), name)
	if first == "" && err != nil {
		first = err.Error()
	}
	return first == "", first
}

// FuzzStage runs the proto stage (lexer, reserved-statement fixes,
// go_package insertion, checks) on one file. It never panics; when it
// changes the file, the bytes outside its edits stay, the output parses,
// compiles whenever the input compiled, and a second run changes nothing.
func FuzzStage(f *testing.F) {
	addProtoSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		set := runOverlay(t, src, "")
		if len(set.Files) == 0 {
			return
		}
		out := set.Files[0]
		checkOutsideEdits(t, out)
		// A file with a manual finding keeps the problem a person must fix
		// (`reserved -1;` does not parse) and still gets its safe fixes.
		manual := false
		for _, d := range set.Diags {
			manual = manual || d.Risk == change.Manual
		}
		if ok, msg := parses(out.New); !ok && !manual {
			t.Fatalf("output does not parse: %s\n--- output ---\n%s", msg, out.New)
		}
		if ok, _ := compiles(src); ok {
			if ok, msg := compiles(out.New); !ok {
				t.Fatalf("input compiled, output does not: %s\n--- output ---\n%s", msg, out.New)
			}
		}
		again := runOverlay(t, out.New, "")
		if len(again.Files) > 0 {
			t.Fatalf("second run changed the output:\n--- first ---\n%s\n--- second ---\n%s", out.New, again.Files[0].New)
		}
	})
}

// splicesFrom decodes fuzz bytes into splices on a text of n bytes: each
// group of three bytes is a start, a length and a replacement length (the
// replacement text is taken from ins, cycling).
func splicesFrom(n int, spec []byte, ins string) []splice {
	var sp []splice
	for i := 0; i+2 < len(spec); i += 3 {
		s := int(spec[i]) % (n + 1)
		e := min(s+int(spec[i+1])%4, n)
		text := ""
		if ins != "" {
			k := int(spec[i+2]) % 6
			for j := 0; j < k; j++ {
				text += string(ins[(i+j)%len(ins)])
			}
		}
		sp = append(sp, splice{start: s, end: e, text: text, rule: "fuzz"})
	}
	return sp
}

// FuzzSplices checks the byte-edit applier and its offset map against a
// plain reference: splices sorted by position are applied left to right,
// one that overlaps an earlier kept one is dropped, and every output byte
// outside an inserted text maps back to the source byte it came from.
func FuzzSplices(f *testing.F) {
	f.Add([]byte("message M {\n  reserved 1, \"a\";\n}\n"), []byte{12, 3, 2, 0, 0, 4}, "xyz")
	f.Add([]byte(""), []byte{0, 0, 5}, "q")
	f.Add([]byte("abc"), []byte{1, 1, 0, 1, 0, 3, 3, 0, 1}, "Z")
	f.Fuzz(func(t *testing.T, src, spec []byte, ins string) {
		sp := splicesFrom(len(src), spec, ins)
		out, edits := applySplices(src, append([]splice(nil), sp...))
		// Reference: the same stable order, overlaps dropped.
		sorted := sortedSplices(sp)
		for i := 1; i < len(sorted); i++ {
			if sorted[i].start == sorted[i-1].start && sorted[i].end < sorted[i-1].end {
				// applySplices also orders by end within one start.
				sorted[i], sorted[i-1] = sorted[i-1], sorted[i]
				i = 0
			}
		}
		var kept []splice
		var want []byte
		pos := 0
		for _, s := range sorted {
			if s.start < pos {
				continue
			}
			want = append(want, src[pos:s.start]...)
			want = append(want, s.text...)
			pos = s.end
			kept = append(kept, s)
		}
		want = append(want, src[pos:]...)
		if !bytes.Equal(out, want) {
			t.Fatalf("applySplices = %q, want %q", out, want)
		}
		if len(edits) != len(kept) {
			t.Fatalf("%d edit records for %d applied splices", len(edits), len(kept))
		}
		for i, e := range edits {
			if e.Start.Offset != kept[i].start || e.End.Offset != kept[i].end {
				t.Fatalf("edit %d records [%d,%d), splice was [%d,%d)", i, e.Start.Offset, e.End.Offset, kept[i].start, kept[i].end)
			}
			if want := change.PositionAt(src, kept[i].start); e.Start != want {
				t.Fatalf("edit %d start %+v, want %+v", i, e.Start, want)
			}
		}
		// Offsets outside inserted text map back to the same byte.
		om := offsetMap{sp: kept}
		inserted := make([]bool, len(out))
		delta := 0
		for _, s := range kept {
			for k := s.start + delta; k < s.start+delta+len(s.text); k++ {
				inserted[k] = true
			}
			delta += len(s.text) - (s.end - s.start)
		}
		for off := range out {
			b := om.back(off)
			if b < 0 || b > len(src) {
				t.Fatalf("back(%d) = %d, outside the source (len %d)", off, b, len(src))
			}
			if !inserted[off] && (b >= len(src) || src[b] != out[off]) {
				t.Fatalf("back(%d) = %d: output byte %q is not source byte", off, b, out[off])
			}
		}
		if b := om.back(len(out)); b != len(src) && (len(kept) == 0 || kept[len(kept)-1].end != len(src) || len(kept[len(kept)-1].text) != 0) {
			t.Fatalf("back(end of output %d) = %d, want %d", len(out), b, len(src))
		}
	})
}
