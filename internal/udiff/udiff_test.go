package udiff

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMatchesGNUDiff compares the output with diff -u on edits of many
// shapes: changes at either end, far apart, adjacent, and missing final
// newlines.
func TestMatchesGNUDiff(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Fatalf("diff is needed as the reference: %v", err)
	}
	rng := rand.New(rand.NewSource(1))
	base := make([]string, 60)
	for i := range base {
		base[i] = fmt.Sprintf("line %d\n", i)
	}
	cases := map[string][2]string{
		"first":       {join(base), join(append([]string{"new\n"}, base[1:]...))},
		"last":        {join(base), join(append(append([]string(nil), base[:59]...), "end\n"))},
		"no-eol-new":  {join(base), strings.TrimSuffix(join(base), "\n")},
		"no-eol-both": {strings.TrimSuffix(join(base), "\n") + "x", strings.TrimSuffix(join(base), "\n") + "y"},
		"empty-old":   {"", "a\nb\n"},
		"empty-new":   {"a\nb\n", ""},
	}
	for k := 0; k < 30; k++ {
		mod := append([]string(nil), base...)
		for e := 0; e < 1+rng.Intn(6); e++ {
			i := rng.Intn(len(mod))
			switch rng.Intn(3) {
			case 0:
				mod[i] = "changed\n"
			case 1:
				mod = append(mod[:i], mod[i+1:]...)
			default:
				mod = append(mod[:i], append([]string{"inserted\n"}, mod[i:]...)...)
			}
		}
		cases[fmt.Sprintf("random%d", k)] = [2]string{join(base), join(mod)}
	}
	dir := t.TempDir()
	for name, c := range cases {
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		os.WriteFile(a, []byte(c[0]), 0o644)
		os.WriteFile(b, []byte(c[1]), 0o644)
		want, _ := exec.Command("diff", "-u", "--label", "a", "--label", "b", a, b).Output()
		got := Unified("a", "b", []byte(c[0]), []byte(c[1]))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: differs from diff -u\n--- got\n%s\n--- want\n%s", name, got, want)
		}
	}
	if Unified("a", "b", []byte("x\n"), []byte("x\n")) != nil {
		t.Error("equal inputs must give no diff")
	}
}

func join(lines []string) string { return strings.Join(lines, "") }

func TestReplacements(t *testing.T) {
	old := "a\nb\nc\nd\ne\n"
	new := "a\nB\nc\nd\nx\ne\n"
	got := Replacements([]byte(old), []byte(new))
	want := []Replacement{{OldStart: 2, OldEnd: 3, Text: "B\n"}, {OldStart: 5, OldEnd: 5, Text: "x\n"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("replacement %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if Replacements([]byte(old), []byte(old)) != nil {
		t.Error("equal texts gave replacements")
	}
}
