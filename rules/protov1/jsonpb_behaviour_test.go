package protov1_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// behaviourTest runs the rewritten (golden) jsonpb case against jsonpb
// v1.5.4 itself: decoding into messages that already hold data must give
// what jsonpb gave.
const behaviourTest = `package jsonpb

import (
	"strings"
	"testing"

	v1jsonpb "github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func field() *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name:     proto.String("old"),
		Number:   proto.Int32(7),
		JsonName: proto.String("oldJson"),
		Options:  &descriptorpb.FieldOptions{Deprecated: proto.Bool(true), Packed: proto.Bool(false)},
	}
}

func TestMergeLikeJsonpb(t *testing.T) {
	for _, doc := range []string{
		"{}",
		"null",
		` + "`" + `{"name":"new"}` + "`" + `,
		` + "`" + `{"number":3,"options":{"packed":true}}` + "`" + `,
		` + "`" + `{"jsonName":null,"label":"LABEL_REPEATED"}` + "`" + `,
		` + "`" + `{"json_name":"x","options":{}}` + "`" + `,
	} {
		want, got := field(), field()
		werr := v1jsonpb.Unmarshal(strings.NewReader(doc), want)
		gerr := readField(strings.NewReader(doc), got)
		if (werr == nil) != (gerr == nil) || !proto.Equal(want, got) {
			t.Errorf("readField(%s): got %v, %v; jsonpb gives %v, %v", doc, got, gerr, want, werr)
		}
	}
	for _, doc := range []string{"{}", ` + "`" + `{"b":2}` + "`" + `, ` + "`" + `{"a":null,"c":[1]}` + "`" + `} {
		want, _ := structpb.NewStruct(map[string]any{"a": "x", "b": 1.0})
		got := proto.Clone(want).(*structpb.Struct)
		werr := v1jsonpb.UnmarshalString(doc, want)
		gerr := readStruct(doc, got)
		if (werr == nil) != (gerr == nil) || !proto.Equal(want, got) {
			t.Errorf("readStruct(%s): got %v, %v; jsonpb gives %v, %v", doc, got, gerr, want, werr)
		}
	}
	got, err := readTouched(strings.NewReader(` + "`" + `"v"` + "`" + `))
	want := &wrapperspb.StringValue{Value: "default"}
	werr := v1jsonpb.Unmarshal(strings.NewReader(` + "`" + `"v"` + "`" + `), want)
	if (err == nil) != (werr == nil) || !proto.Equal(got, want) {
		t.Errorf("readTouched: got %v, %v; jsonpb gives %v, %v", got, err, want, werr)
	}
}
`

// TestJsonpbMergeBehaviour builds the golden output of testdata/jsonpb in
// a module that also has jsonpb v1.5.4 and runs behaviourTest there.
func TestJsonpbMergeBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go test on the migrated code in a temporary module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the rewritten code: %v", err)
	}
	root := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join("..", "..", "ruletest", "testdata", "mod", f), filepath.Join(root, f))
	}
	pkg := filepath.Join(root, "jsonpb")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "jsonpb", "*.go.golden"))
	if len(goldens) == 0 {
		t.Fatal("no goldens in testdata/jsonpb")
	}
	for _, g := range goldens {
		copyFile(t, g, filepath.Join(pkg, strings.TrimSuffix(filepath.Base(g), ".golden")))
	}
	if err := os.WriteFile(filepath.Join(pkg, "behaviour_test.go"), []byte(behaviourTest), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "test", "-count=1", "-v", "./jsonpb")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rewritten jsonpb code does not behave like jsonpb v1.5.4:\n%s", out)
	}
	if !strings.Contains(string(out), "--- PASS: TestMergeLikeJsonpb") {
		t.Fatalf("the behaviour test did not run:\n%s", out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
