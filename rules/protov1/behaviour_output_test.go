package protov1_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/ruletest"
)

// outputBehaviourTest checks the output-format warnings of
// protov1.jsonpb and protov1.proto.text (output_format.go) against
// golang/protobuf v1.5.4 itself: the rewritten functions of
// testdata/output_format print what v1 printed except for exactly the
// changes the warnings name.
const outputBehaviourTest = `package output_format

import (
	"strings"
	"testing"

	v1jsonpb "github.com/golang/protobuf/jsonpb"
	v1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/structpb"
)

// nested has nested and repeated messages and no string holding the
// characters the comparisons rewrite.
func nested() *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name:   proto.String("x"),
		Number: proto.Int32(3),
		Options: &descriptorpb.FieldOptions{
			Packed: proto.Bool(true),
			UninterpretedOption: []*descriptorpb.UninterpretedOption{
				{IdentifierValue: proto.String("a")},
				{IdentifierValue: proto.String("b"), PositiveIntValue: proto.Uint64(7)},
			},
		},
	}
}

func list(t *testing.T) *structpb.ListValue {
	l, err := structpb.NewList([]any{1, 2, "3"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// "protojson adds spaces ... after a , in compact output (jsonpb
// [1,2,"3"], protojson [1, 2, "3"])".
func TestJSONCompact(t *testing.T) {
	want, _ := (&v1jsonpb.Marshaler{}).MarshalToString(list(t))
	got, err := jsonCompact(list(t))
	if err != nil || want != ` + "`" + `[1,2,"3"]` + "`" + ` || (got != want && got != ` + "`" + `[1, 2, "3"]` + "`" + `) {
		t.Errorf("jsonpb %q, protojson %q (%v)", want, got, err)
	}
	want, _ = (&v1jsonpb.Marshaler{}).MarshalToString(nested())
	got, err = jsonCompact(nested())
	if err != nil || strings.ReplaceAll(got, ", ", ",") != want {
		t.Errorf("compact JSON differs beyond a space after commas:\n jsonpb    %s\n protojson %s", want, got)
	}
	if got != want {
		t.Log("PROTOJSON-SPACED")
	}
}

// "... a second one after a : in indented output".
func TestJSONIndent(t *testing.T) {
	want, _ := (&v1jsonpb.Marshaler{Indent: "  "}).MarshalToString(nested())
	got, err := jsonIndent(nested())
	if err != nil || strings.ReplaceAll(got, ":  ", ": ") != want {
		t.Errorf("indented JSON differs beyond a second space after colons:\n jsonpb    %s\n protojson %s", want, got)
	}
}

// "prototext prints a nested message as name: {…} where v1 printed
// name: <…>, and may put two spaces after a :".
func TestTextMulti(t *testing.T) {
	want := strings.NewReplacer("<", "{", ">", "}").Replace(v1.MarshalTextString(nested()))
	if !strings.Contains(v1.MarshalTextString(nested()), "options: <\n") {
		t.Fatalf("v1 does not print <…>: %s", v1.MarshalTextString(nested()))
	}
	got := strings.ReplaceAll(textMulti(nested()), ":  ", ": ")
	if got != textMulti(nested()) {
		t.Log("PROTOTEXT-SPACED")
	}
	if got != want {
		t.Errorf("multi-line text differs beyond <…> → {…} and doubled spaces:\n v1        %q\n prototext %q", want, textMulti(nested()))
	}
	w, err := textWriter(nested())
	if err != nil || strings.ReplaceAll(w, ":  ", ": ") != want {
		t.Errorf("MarshalText writer form: %q, %v; want %q", w, err, want)
	}
}

// "prototext prints a nested message as name:{…} where v1 printed
// name:<… >, drops v1's space after each field and may put two spaces
// between fields" (and the same for a compact TextMarshaler).
func TestTextCompact(t *testing.T) {
	v1text := v1.CompactTextString(nested())
	if !strings.Contains(v1text, "options:<") || !strings.HasSuffix(v1text, "> ") {
		t.Fatalf("v1 compact text is not name:<… >: %q", v1text)
	}
	want := strings.TrimSuffix(strings.NewReplacer(" >", "}", "<", "{").Replace(v1text), " ")
	for name, got := range map[string]string{"CompactTextString": textCompact(nested()), "TextMarshaler{Compact: true}": textMarshalerCompact(nested())} {
		if strings.ReplaceAll(got, "  ", " ") != want {
			t.Errorf("%s: compact text differs beyond <… > → {…} and spacing:\n v1        %q\n prototext %q", name, v1text, got)
		}
	}
}
`

// TestOutputFormatBehaviour builds the golden output of
// testdata/output_format in a module that also has golang/protobuf v1.5.4
// and runs outputBehaviourTest there. protojson and prototext choose
// their extra spaces from a hash of the binary's size and contents, so the
// test binary is run again with bytes appended (which the loader ignores)
// until both forms have been seen: the claims must hold for each.
func TestOutputFormatBehaviour(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the rewritten code: %v", err)
	}
	golden := filepath.Join("testdata", "output_format", "format.go.golden")
	root := ruletest.TempModule(t, map[string]string{"output_format/format.go": golden})
	if err := os.WriteFile(filepath.Join(root, "output_format", "behaviour_test.go"), []byte(outputBehaviourTest), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "output_format.test")
	cmd := exec.Command(goBin, "test", "-c", "-o", bin, "./output_format")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rewritten code does not build:\n%s", out)
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	spaced, plain := false, false
	for pad := 0; pad < 64 && !(spaced && plain); pad++ {
		variant := filepath.Join(root, "variant.test")
		if err := os.WriteFile(variant, append(exe, make([]byte, pad)...), 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(variant, "-test.v", "-test.count=1").CombinedOutput()
		if err != nil {
			t.Fatalf("rewritten code does not differ from v1 exactly as the warnings say:\n%s", out)
		}
		for _, name := range []string{"TestJSONCompact", "TestJSONIndent", "TestTextMulti", "TestTextCompact"} {
			if !strings.Contains(string(out), "--- PASS: "+name) {
				t.Fatalf("%s did not run:\n%s", name, out)
			}
		}
		js, ts := strings.Contains(string(out), "PROTOJSON-SPACED"), strings.Contains(string(out), "PROTOTEXT-SPACED")
		if js != ts {
			t.Fatalf("protojson and prototext disagree on the extra spaces in one binary:\n%s", out)
		}
		spaced, plain = spaced || js, plain || !js
	}
	if !spaced || !plain {
		t.Fatalf("64 variants of the binary did not show both forms (with the extra spaces: %v, without: %v)", spaced, plain)
	}
}
