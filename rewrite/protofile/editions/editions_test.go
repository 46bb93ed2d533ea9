package editions

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
)

var update = flag.Bool("update", false, "rewrite the .golden and .diags files")

func formatDiags(ds []change.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Format(filepath.Base(d.Path)) + " [" + d.Risk.String() + "]\n")
	}
	return b.String()
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if len(got) == 0 {
			os.Remove(path)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got ---\n%s\n--- want ---\n%s", filepath.Base(path), got, want)
	}
}

func goldenInputs(t *testing.T) []string {
	t.Helper()
	in, err := filepath.Glob(filepath.Join("testdata", "convert", "*.proto"))
	if err != nil || len(in) == 0 {
		t.Fatalf("no test inputs: %v", err)
	}
	return in
}

// TestGolden converts every input, compares output and diagnostics with
// the golden files, proves each conversion and checks idempotence.
func TestGolden(t *testing.T) {
	for _, in := range goldenInputs(t) {
		name := strings.TrimSuffix(filepath.Base(in), ".proto")
		t.Run(name, func(t *testing.T) {
			abs, _ := filepath.Abs(in)
			src, err := os.ReadFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			out, diags, err := Convert(abs, src, "2023")
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			base := strings.TrimSuffix(in, ".proto")
			converted := !bytes.Equal(out, src)
			if converted {
				checkGolden(t, base+".golden", out)
			} else {
				checkGolden(t, base+".golden", nil)
			}
			checkGolden(t, base+".diags", []byte(formatDiags(diags)))
			if !converted {
				return
			}
			pd, err := Prove(context.Background(), ProveInput{Path: abs, Before: src, After: out})
			if err != nil {
				t.Fatalf("Prove: %v", err)
			}
			if len(pd) > 0 {
				t.Errorf("Prove found differences:\n%s", formatDiags(pd))
			}
			again, d2, err := Convert(abs, out, "2023")
			if err != nil || !bytes.Equal(again, out) || len(d2) > 0 {
				t.Errorf("second Convert is not a no-op: err=%v diags=%v changed=%v", err, d2, !bytes.Equal(again, out))
			}
		})
	}
}

var commentRE = regexp.MustCompile(`(?s)//[^\n]*|/\*.*?\*/`)

// TestCommentsSurvive checks that every comment of every input is still in
// its converted output, in the same order.
func TestCommentsSurvive(t *testing.T) {
	for _, in := range goldenInputs(t) {
		out, err := os.ReadFile(strings.TrimSuffix(in, ".proto") + ".golden")
		if err != nil {
			continue
		}
		src, _ := os.ReadFile(in)
		rest := string(out)
		for _, c := range commentRE.FindAllString(string(src), -1) {
			i := strings.Index(rest, c)
			if i < 0 {
				t.Errorf("%s: comment %q lost or out of order", filepath.Base(in), c)
				continue
			}
			rest = rest[i+len(c):]
		}
	}
}
