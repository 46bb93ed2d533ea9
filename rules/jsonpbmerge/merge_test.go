package jsonpbmerge

//lint:file-ignore SA1019 the tests compare the deprecated jsonpb with protojson to prove the merge helper behaves like jsonpb.

import (
	"context"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const testProtos = `
-- m2.proto --
syntax = "proto2";
package mergetest;
import "google/protobuf/struct.proto";
message Inner { optional int32 a = 1; optional string b = 2; }
message M2 {
  optional int32 i = 1;
  optional string s = 2;
  repeated int32 r = 3;
  optional Inner inner = 4;
  map<string, int32> mp = 5;
  oneof o { string os = 6; Inner oi = 7; }
  optional group G = 8 { optional int32 ga = 9; }
  required int32 req = 10;
  optional google.protobuf.Value val = 11;
  optional google.protobuf.Struct st = 12;
  optional google.protobuf.NullValue nv = 13;
  extensions 100 to 200;
}
extend M2 { optional int32 xi = 100; repeated string xr = 101; optional Inner xm = 102; }
-- m3.proto --
syntax = "proto3";
package mergetest;
import "google/protobuf/timestamp.proto";
import "google/protobuf/struct.proto";
message Sub { int32 x = 1; int32 y = 2; }
message M3 {
  int32 i = 1;
  string camel_name = 2;
  repeated Sub subs = 3;
  Sub sub = 4;
  optional int32 oi = 5;
  google.protobuf.Timestamp ts = 6;
  google.protobuf.ListValue lv = 7;
  map<int32, Sub> ms = 8;
}
`

// compile builds message descriptors for the test protos and registers
// their extensions globally, where both jsonpb and protojson find them.
func compile(t *testing.T) map[string]protoreflect.MessageDescriptor {
	t.Helper()
	files := map[string]string{}
	var name string
	for _, line := range splitLines(testProtos) {
		if len(line) > 6 && line[:3] == "-- " {
			name = line[3 : len(line)-3]
			continue
		}
		files[name] += line + "\n"
	}
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(files)})}
	res, err := c.Compile(context.Background(), "m2.proto", "m3.proto")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]protoreflect.MessageDescriptor{}
	for _, f := range res {
		for i := 0; i < f.Messages().Len(); i++ {
			md := f.Messages().Get(i)
			out[string(md.Name())] = md
		}
		for i := 0; i < f.Extensions().Len(); i++ {
			xt := dynamicpb.NewExtensionType(f.Extensions().Get(i))
			if _, err := protoregistry.GlobalTypes.FindExtensionByName(xt.TypeDescriptor().FullName()); err != nil {
				if err := protoregistry.GlobalTypes.RegisterExtension(xt); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// TestMatchesJSONPB decodes documents into messages that already hold
// data, once with jsonpb and once with the helper, and requires the same
// result (and the same success or failure).
func TestMatchesJSONPB(t *testing.T) {
	mds := compile(t)
	dyn := func(name, init string) func() proto.Message {
		return func() proto.Message {
			m := dynamicpb.NewMessage(mds[name])
			if init != "" {
				if err := (protojson.UnmarshalOptions{AllowPartial: true}).Unmarshal([]byte(init), m); err != nil {
					t.Fatalf("init %s: %v", init, err)
				}
			}
			return m
		}
	}
	const m2 = `{"i":1,"s":"keep","r":[1,2],"inner":{"a":1,"b":"x"},"mp":{"k":1},"os":"one","G":{"ga":3},"req":7,"[mergetest.xi]":5,"[mergetest.xr]":["p"],"[mergetest.xm]":{"a":2}}`
	const m3 = `{"i":4,"camelName":"c","subs":[{"x":1}],"sub":{"x":1,"y":2},"oi":9,"ts":"2020-01-01T00:00:00Z","lv":[1],"ms":{"1":{"x":1}}}`
	cases := []struct {
		name string
		msg  func() proto.Message
		doc  string
	}{
		{"scalars kept and replaced", dyn("M2", m2), `{"i":2}`},
		{"zero value named", dyn("M2", m2), `{"i":0,"s":""}`},
		{"repeated replaced not appended", dyn("M2", m2), `{"r":[3]}`},
		{"empty list named", dyn("M2", m2), `{"r":[]}`},
		{"nested message replaced not merged", dyn("M2", m2), `{"inner":{"b":"y"}}`},
		{"map replaced", dyn("M2", m2), `{"mp":{"z":2}}`},
		{"oneof switched", dyn("M2", m2), `{"oi":{"a":5}}`},
		{"null member kept", dyn("M2", m2), `{"inner":null,"i":null,"r":null}`},
		{"group", dyn("M2", m2), `{"G":{}}`},
		{"extensions", dyn("M2", m2), `{"[mergetest.xi]":6,"[mergetest.xr]":[],"[mergetest.xm]":{"b":"q"}}`},
		{"null extension kept", dyn("M2", m2), `{"[mergetest.xi]":null}`},
		{"required satisfied by existing value", dyn("M2", m2), `{"i":3}`},
		{"required missing", dyn("M2", ""), `{"i":3}`},
		{"value null", dyn("M2", m2), `{"val":null,"nv":null}`},
		{"value replaced", dyn("M2", `{"val":{"a":1},"req":1}`), `{"val":[1,"x"]}`},
		{"struct field replaced", dyn("M2", `{"st":{"a":1,"b":2},"req":1}`), `{"st":{"c":3}}`},
		{"top-level null", dyn("M2", m2), ` null `},
		{"unknown field", dyn("M2", m2), `{"nope":1}`},
		{"bad value", dyn("M2", m2), `{"i":"x"}`},
		{"proto3 json names", dyn("M3", m3), `{"camel_name":"d","subs":[{"y":2}]}`},
		{"proto3 message replaced", dyn("M3", m3), `{"sub":{"y":5}}`},
		{"proto3 optional zero", dyn("M3", m3), `{"oi":0,"i":0}`},
		{"proto3 wkt fields", dyn("M3", m3), `{"ts":"2021-01-01T00:00:00Z","lv":[2,3]}`},
		{"proto3 map of messages", dyn("M3", m3), `{"ms":{"2":{"y":1}}}`},
		{"empty document", dyn("M3", m3), `{}`},
		{"top-level struct adds keys", func() proto.Message { s, _ := structpb.NewStruct(map[string]any{"a": 1, "b": "x"}); return s }, `{"b":"y","c":true}`},
		{"top-level list appends", func() proto.Message { l, _ := structpb.NewList([]any{1, "x"}); return l }, `[true]`},
		{"top-level value", func() proto.Message { return structpb.NewStringValue("x") }, `3`},
		{"top-level value null", func() proto.Message { return structpb.NewStringValue("x") }, `null`},
		{"top-level timestamp", func() proto.Message { return timestamppb.New(timestamppb.Now().AsTime()) }, `"2020-01-01T00:00:01Z"`},
		{"top-level duration", func() proto.Message { return durationpb.New(5) }, `"1.5s"`},
		{"top-level wrapper zero", func() proto.Message { return wrapperspb.Int64(5) }, `"0"`},
		{"top-level wrapper null", func() proto.Message { return wrapperspb.Int64(5) }, `null`},
		{"top-level empty", func() proto.Message { return &emptypb.Empty{} }, `{}`},
		{"top-level any", func() proto.Message { a, _ := anypb.New(wrapperspb.String("old")); return a }, `{"@type":"type.googleapis.com/google.protobuf.Int32Value","value":3}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, got := c.msg(), c.msg()
			wantErr := jsonpb.UnmarshalString(c.doc, protoadapt.MessageV1Of(want))
			gotErr := protojsonMergeUnmarshal(protojson.UnmarshalOptions{}, []byte(c.doc), got)
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("jsonpb error %v, helper error %v", wantErr, gotErr)
			}
			if wantErr == nil && !proto.Equal(want, got) {
				t.Errorf("jsonpb result\n\t%v\nhelper result\n\t%v", want, got)
			}
		})
	}
}

// TestDiscardUnknown checks that the options reach the decoder.
func TestDiscardUnknown(t *testing.T) {
	m := wrapperspb.Int32(1)
	if err := protojsonMergeUnmarshal(protojson.UnmarshalOptions{DiscardUnknown: true}, []byte(`{"i":2}`), &structpb.Struct{}); err != nil {
		t.Fatal(err)
	}
	if err := protojsonMergeUnmarshal(protojson.UnmarshalOptions{}, []byte(`"x"`), m); err == nil {
		t.Fatal("want an error for a string into Int32Value")
	}
	if err := protojsonMergeUnmarshal(protojson.UnmarshalOptions{}, []byte(`{}`), nil); err == nil {
		t.Fatal("want an error for a nil message")
	}
}
