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

// TestProveCatchesWrongConversions breaks correct conversions one feature
// at a time and expects Prove to name what changed.
func TestProveCatchesWrongConversions(t *testing.T) {
	cases := []struct {
		input, drop, want string
	}{
		{"proto2_basic", ", features.field_presence = LEGACY_REQUIRED", "field basic.v1.Item.id: cardinality"},
		{"proto2_basic", "option features.(pb.go).legacy_unmarshal_json_enum = true;", "generated Go differs: - func (x *Color) UnmarshalJSON"},
		{"proto2_basic", "option features.utf8_validation = NONE;", "field basic.v1.Item.name: utf8 validated"},
		{"proto2_reserved", "option features.enum_type = CLOSED;", "enum resinv.E was closed=true"},
		{"proto2_basic", " [features.repeated_field_encoding = PACKED]", "field basic.v1.Item.dense: packed"},
		{"proto2_basic", "option features.repeated_field_encoding = EXPANDED;", "field basic.v1.Item.plain: packed"},
		{"proto2_groups", "Result result = 1 [features.message_encoding = DELIMITED];", "field groups.Outer.result is missing"},
		{"proto2_groups", "repeated Item item = 5 [features.message_encoding = DELIMITED];", "field groups.Outer.item is missing"},
		{"proto2_groups", "features.message_encoding = DELIMITED, ", "field groups.Outer.must: kind"},
		{"proto2_basic", "option features.enum_type = CLOSED;", "converted file does not compile"},
		{"proto3_basic", "option features.field_presence = IMPLICIT;", "field p3.basic.Thing.count: presence"},
		{"proto3_basic", " [features.field_presence = EXPLICIT]", "field p3.basic.Thing.maybe: presence"},
		{"proto2_ints_only", "[default = 18446744073709551615]", "field intsonly.Counter.total: default"},
	}
	for _, tc := range cases {
		t.Run(tc.input+"/"+tc.want, func(t *testing.T) {
			abs, _ := filepath.Abs(filepath.Join("testdata", "convert", tc.input+".proto"))
			src, err := os.ReadFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			good, err := os.ReadFile(strings.TrimSuffix(abs, ".proto") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(good, []byte(tc.drop)) {
				t.Fatalf("golden has no %q", tc.drop)
			}
			bad := bytes.Replace(good, []byte(tc.drop), nil, 1)
			ds, err := Prove(context.Background(), ProveInput{Path: abs, Before: src, After: bad})
			if err != nil {
				t.Fatalf("Prove: %v", err)
			}
			text := formatDiags(ds)
			if !strings.Contains(text, tc.want) {
				t.Errorf("Prove did not report %q; got:\n%s", tc.want, text)
			}
			for _, d := range ds {
				if d.Risk != change.Manual || d.Rule != Rule {
					t.Errorf("diagnostic %+v: want rule %s, risk manual", d, Rule)
				}
			}
		})
	}
}

// TestBadInput: errors name the file, line and column and the input is
// never half converted.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, src, edition, want string
	}{
		{"parse.proto", "syntax = \"proto2\";\nmessage M {\n  optional int32 x = ;\n}\n", "2023", "parse.proto:3:22: syntax error"},
		{"import.proto", "syntax = \"proto3\";\nimport \"missing/dep.proto\";\n", "2023", "missing/dep.proto not found"},
		{"edition.proto", "syntax = \"proto3\";\n", "2024", `edition "2024" is not supported`},
	}
	for _, tc := range cases {
		p := filepath.Join(dir, tc.name)
		out, diags, err := Convert(p, []byte(tc.src), tc.edition)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
		if out != nil || diags != nil {
			t.Errorf("%s: output or diagnostics returned with an error", tc.name)
		}
	}
	// An edition 2024 file is left alone even though the pinned compiler
	// cannot parse it.
	src := []byte("// leading\nedition = \"2024\";\nmessage M { export int32 x = 1; }\n")
	out, diags, err := Convert(filepath.Join(dir, "e2024.proto"), src, "2023")
	if err != nil || !bytes.Equal(out, src) || len(diags) > 0 {
		t.Errorf("edition 2024 file: out changed=%v diags=%v err=%v", !bytes.Equal(out, src), diags, err)
	}
}
