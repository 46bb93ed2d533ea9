package protov1_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// raiseFactsProgram runs, on hand-written v1 message types and on
// structpb values, what protov1.raise.behaviour announces changes with
// the raise, and prints one FACT line per operation: ok, panic, or the
// result. TestRaiseBehaviourFacts runs it under golang/protobuf v1.3.3
// (no APIv2), v1.4.3 with google.golang.org/protobuf v1.24.0 and v1.25.0
// (the first with structpb's MarshalJSON) and v1.26.0 (the first with
// APIv2's own decoding errors), and v1.5.4.
const raiseFactsProgram = `package facts

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/golang/protobuf/proto"
	plugin "github.com/golang/protobuf/protoc-gen-go/plugin"
	structpb "github.com/golang/protobuf/ptypes/struct"
)

// mapBare: a map field without protobuf_key/protobuf_val (reported).
type mapBare struct {
	M map[string]string ` + "`" + `protobuf:"bytes,1,rep,name=m"` + "`" + `
}

func (m *mapBare) Reset()         { *m = mapBare{} }
func (m *mapBare) String() string { return "mapBare" }
func (*mapBare) ProtoMessage()    {}

// mapTagged: the same map with the tags protoc-gen-go writes (not reported).
type mapTagged struct {
	M map[string]string ` + "`" + `protobuf:"bytes,1,rep,name=m" protobuf_key:"bytes,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"` + "`" + `
}

func (m *mapTagged) Reset()         { *m = mapTagged{} }
func (m *mapTagged) String() string { return "mapTagged" }
func (*mapTagged) ProtoMessage()    {}

type inner struct {
	S string ` + "`" + `protobuf:"bytes,1,opt,name=s"` + "`" + `
}

func (m *inner) Reset()         { *m = inner{} }
func (m *inner) String() string { return "inner" }
func (*inner) ProtoMessage()    {}

// structField: a message field held by value (reported).
type structField struct {
	N inner ` + "`" + `protobuf:"bytes,1,opt,name=n"` + "`" + `
}

func (m *structField) Reset()         { *m = structField{} }
func (m *structField) String() string { return "structField" }
func (*structField) ProtoMessage()    {}

type isO interface{ isO() }

type oB struct {
	B bool ` + "`" + `protobuf:"varint,2,opt,name=b,oneof"` + "`" + `
}

func (*oB) isO() {}

// oneofBare: a oneof without XXX_OneofWrappers (reported).
type oneofBare struct {
	O isO ` + "`" + `protobuf_oneof:"o"` + "`" + `
}

func (m *oneofBare) Reset()         { *m = oneofBare{} }
func (m *oneofBare) String() string { return "oneofBare" }
func (*oneofBare) ProtoMessage()    {}

// oneofListed: the same oneof with XXX_OneofWrappers (not reported).
type oneofListed struct {
	O isO ` + "`" + `protobuf_oneof:"o"` + "`" + `
}

func (m *oneofListed) Reset()                     { *m = oneofListed{} }
func (m *oneofListed) String() string             { return "oneofListed" }
func (*oneofListed) ProtoMessage()                {}
func (*oneofListed) XXX_OneofWrappers() []interface{} { return []interface{}{(*oB)(nil)} }

// mapFloatKey: a float map key, which .proto maps do not allow
// (reported, with the tags or without).
type mapFloatKey struct {
	M map[float32]string ` + "`" + `protobuf:"bytes,1,rep,name=m" protobuf_key:"fixed32,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"` + "`" + `
}

func (m *mapFloatKey) Reset()         { *m = mapFloatKey{} }
func (m *mapFloatKey) String() string { return "mapFloatKey" }
func (*mapFloatKey) ProtoMessage()    {}

// mapOpt: a map field with the tags but labelled opt, not rep, as
// grpc-gateway's test messages have it: it works (not reported).
type mapOpt struct {
	M map[string]string ` + "`" + `protobuf:"bytes,1,opt,name=m" protobuf_key:"bytes,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"` + "`" + `
}

func (m *mapOpt) Reset()         { *m = mapOpt{} }
func (m *mapOpt) String() string { return "mapOpt" }
func (*mapOpt) ProtoMessage()    {}

// dupNumber: two fields with field number 1 (reported).
type dupNumber struct {
	A string ` + "`" + `protobuf:"bytes,1,opt,name=a"` + "`" + `
	B int32  ` + "`" + `protobuf:"varint,1,opt,name=b"` + "`" + `
}

func (m *dupNumber) Reset()         { *m = dupNumber{} }
func (m *dupNumber) String() string { return "dupNumber" }
func (*dupNumber) ProtoMessage()    {}

func try(name string, f func() string) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("FACT %s panic\n", name)
		}
	}()
	fmt.Printf("FACT %s %s\n", name, f())
}

func ops(name string, m proto.Message) {
	try(name+".Clone", func() string { proto.Clone(m); return "ok" })
	try(name+".Equal", func() string { proto.Equal(m, m); return "ok" })
	try(name+".Merge", func() string { n := proto.Clone(m); proto.Merge(n, m); return "ok" })
	try(name+".Text", func() string { proto.MarshalTextString(m); return "ok" })
	try(name+".Marshal", func() string {
		if _, err := proto.Marshal(m); err != nil {
			return "error"
		}
		return "ok"
	})
}

func TestFacts(t *testing.T) {
	// Each type is used once per process: a failed legacy load is not
	// cached as a success for a later operation, but keep them apart.
	ops("mapBare", &mapBare{M: map[string]string{"a": "b"}})
	ops("mapTagged", &mapTagged{M: map[string]string{"a": "b"}})
	ops("structField", &structField{N: inner{S: "a"}})
	ops("oneofBare", &oneofBare{O: &oB{B: true}})
	ops("oneofListed", &oneofListed{O: &oB{B: true}})
	ops("mapFloatKey", &mapFloatKey{M: map[float32]string{1.5: "b"}})
	ops("dupNumber", &dupNumber{A: "a", B: 2})
	ops("mapOpt", &mapOpt{M: map[string]string{"a": "b"}})

	b, err := json.Marshal(&structpb.Value{Kind: &structpb.Value_StringValue{StringValue: "abc"}})
	fmt.Printf("FACT json.Marshal(Value) %s %v\n", b, err)
	var v structpb.Value
	fmt.Printf("FACT json.Unmarshal(Value) %v\n", json.Unmarshal([]byte(` + "`" + `"abc"` + "`" + `), &v) == nil)
	s, err := json.Marshal(&structpb.Struct{Fields: map[string]*structpb.Value{"a": {Kind: &structpb.Value_NumberValue{NumberValue: 1}}}})
	fmt.Printf("FACT json.Marshal(Struct) %s %v\n", s, err)

	fmt.Printf("FACT Unmarshal.error %q\n", proto.Unmarshal([]byte("{}"), new(plugin.CodeGeneratorRequest)).Error())
}
`

type raiseVersions struct {
	name, v1, v2 string
}

var raiseFactVersions = []raiseVersions{
	{"v1.3.3", "v1.3.3", ""},
	{"v1.4.3+v1.24.0", "v1.4.3", "v1.24.0"},
	{"v1.4.3+v1.25.0", "v1.4.3", "v1.25.0"},
	{"v1.4.3+v1.26.0", "v1.4.3", "v1.26.0"},
	{"v1.5.4", "v1.5.4", ""},
}

// raiseFacts: what each version does (missing: the same as v1.5.4).
var raiseFacts = map[string]map[string]string{
	"v1.3.3": {
		// Hand-written types golang/protobuf v1.3 handled by reflection.
		"mapBare.Clone": "ok", "mapBare.Equal": "ok", "mapBare.Merge": "ok", "mapBare.Text": "ok", "mapBare.Marshal": "panic",
		"mapTagged.Clone": "ok", "mapTagged.Equal": "ok", "mapTagged.Merge": "ok", "mapTagged.Text": "ok", "mapTagged.Marshal": "ok",
		"structField.Clone": "ok", "structField.Equal": "ok", "structField.Merge": "ok", "structField.Text": "ok", "structField.Marshal": "panic",
		"oneofBare.Clone": "ok", "oneofBare.Equal": "ok", "oneofBare.Merge": "ok", "oneofBare.Text": "ok", "oneofBare.Marshal": "panic",
		"oneofListed.Clone": "ok", "oneofListed.Equal": "ok", "oneofListed.Merge": "ok", "oneofListed.Text": "ok", "oneofListed.Marshal": "ok",
		// v1.3 compared, cloned and encoded a float map key; only its
		// text format panicked on one.
		"mapFloatKey.Clone": "ok", "mapFloatKey.Equal": "ok", "mapFloatKey.Merge": "ok", "mapFloatKey.Text": "panic", "mapFloatKey.Marshal": "ok",
		"dupNumber.Clone": "ok", "dupNumber.Equal": "ok", "dupNumber.Merge": "ok", "dupNumber.Text": "ok", "dupNumber.Marshal": "ok",
		"mapOpt.Clone": "ok", "mapOpt.Equal": "ok", "mapOpt.Merge": "ok", "mapOpt.Text": "ok", "mapOpt.Marshal": "ok",
		"json.Marshal(Value)":   `{"Kind":{"StringValue":"abc"}} <nil>`,
		"json.Unmarshal(Value)": "false",
		"json.Marshal(Struct)":  `{"fields":{"a":{"Kind":{"NumberValue":1}}}} <nil>`,
		"Unmarshal.error":       `"unexpected EOF"`,
	},
	"v1.4.3+v1.24.0": {
		// APIv2's legacy loader, but structpb without MarshalJSON and
		// v1.3's error text yet; before v1.26.0 it also panics on a
		// message field held by value in Equal and the text format.
		"json.Marshal(Value)":   `{"Kind":{"StringValue":"abc"}} <nil>`,
		"json.Unmarshal(Value)": "false",
		"json.Marshal(Struct)":  `{"fields":{"a":{"Kind":{"NumberValue":1}}}} <nil>`,
		"Unmarshal.error":       `"unexpected EOF"`,
		"structField.Equal":     "panic",
		"structField.Text":      "panic",
	},
	"v1.4.3+v1.25.0": {
		"Unmarshal.error":   `"unexpected EOF"`,
		"structField.Equal": "panic",
		"structField.Text":  "panic",
	},
	"v1.5.4": {
		"mapBare.Clone": "panic", "mapBare.Equal": "panic", "mapBare.Merge": "panic", "mapBare.Text": "panic", "mapBare.Marshal": "panic",
		"mapTagged.Clone": "ok", "mapTagged.Equal": "ok", "mapTagged.Merge": "ok", "mapTagged.Text": "ok", "mapTagged.Marshal": "ok",
		"structField.Clone": "panic", "structField.Merge": "panic", "structField.Equal": "ok", "structField.Text": "ok", "structField.Marshal": "error",
		"oneofBare.Clone": "panic", "oneofBare.Equal": "panic", "oneofBare.Merge": "panic", "oneofBare.Text": "panic", "oneofBare.Marshal": "panic",
		"oneofListed.Clone": "ok", "oneofListed.Equal": "ok", "oneofListed.Merge": "ok", "oneofListed.Text": "ok", "oneofListed.Marshal": "ok",
		"mapFloatKey.Clone": "ok", "mapFloatKey.Equal": "panic", "mapFloatKey.Merge": "ok", "mapFloatKey.Text": "panic", "mapFloatKey.Marshal": "panic",
		"dupNumber.Clone": "panic", "dupNumber.Equal": "panic", "dupNumber.Merge": "panic", "dupNumber.Text": "panic", "dupNumber.Marshal": "panic",
		"mapOpt.Clone": "ok", "mapOpt.Equal": "ok", "mapOpt.Merge": "ok", "mapOpt.Text": "ok", "mapOpt.Marshal": "ok",
		"json.Marshal(Value)":   `"abc" <nil>`,
		"json.Unmarshal(Value)": "true",
		"json.Marshal(Struct)":  `{"a":1} <nil>`,
		"Unmarshal.error":       `"proto: cannot parse invalid wire-format data"`,
	},
}

// TestRaiseBehaviourFacts proves, against the real libraries, each
// change protov1.raise.behaviour announces (raise_sites.go): hand-written
// message types with a map field lacking protobuf_key/protobuf_val, a
// message field held by value, or a oneof without XXX_OneofWrappers work
// in golang/protobuf v1.3 (Clone, Equal, Merge, text) and panic from
// v1.4 on, while the same types with the tags, a pointer or the method
// keep working (the rule does not report them); a float map key (which
// .proto maps do not allow) and two fields sharing a number, which v1.3
// cloned, compared and encoded, panic in APIv2's Equal, text format and
// Marshal (the shared number in Clone and Merge too); encoding/json writes and
// reads structpb values differently from google.golang.org/protobuf
// v1.25.0 on (not before, even with golang/protobuf v1.4); proto.Unmarshal
// no longer returns v1.3's "unexpected EOF" from google.golang.org/protobuf
// v1.26.0 on (golang/protobuf v1.5's floor).
func TestRaiseBehaviourFacts(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the facts: %v", err)
	}
	got := map[string]map[string]string{}
	for _, v := range raiseFactVersions {
		dir := t.TempDir()
		mod := fmt.Sprintf("module example.com/facts\n\ngo 1.21\n\nrequire github.com/golang/protobuf %s\n", v.v1)
		if v.v2 != "" {
			mod += fmt.Sprintf("\nrequire google.golang.org/protobuf %s\n", v.v2)
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "facts_test.go"), []byte(raiseFactsProgram), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(goBin, "test", "-count=1", "-v", "-run", "TestFacts", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", v.name, err, out)
		}
		if v.v2 != "" {
			// The versions asked for are the versions used.
			list := exec.Command(goBin, "list", "-m", "google.golang.org/protobuf")
			list.Dir, list.Env = dir, cmd.Env
			lo, err := list.CombinedOutput()
			if err != nil || !strings.Contains(string(lo), v.v2) {
				t.Fatalf("%s: google.golang.org/protobuf is %s (%v)", v.name, lo, err)
			}
		}
		got[v.name] = map[string]string{}
		for _, l := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(l, "FACT "); ok {
				k, val, _ := strings.Cut(rest, " ")
				// APIv2 error texts hold a space or, at random per
				// binary, a non-breaking space.
				val = strings.ReplaceAll(val, `\u00a0`, " ")
				got[v.name][k] = val
			}
		}
		if len(got[v.name]) < 44 {
			t.Fatalf("%s: only %d facts printed:\n%s", v.name, len(got[v.name]), out)
		}
	}
	for _, v := range raiseFactVersions {
		for k, val := range got[v.name] {
			want, ok := raiseFacts[v.name][k]
			if !ok {
				want = raiseFacts["v1.5.4"][k]
			}
			if val != want {
				t.Errorf("%s: %s = %s, want %s", v.name, k, val, want)
			}
		}
	}
}
