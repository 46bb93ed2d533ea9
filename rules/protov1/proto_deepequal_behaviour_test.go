package protov1_test

import (
	"math"
	"math/rand"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// shape13 has the struct shape protoc-gen-go 1.3 generated for
//
//	message Shape { double d = 1; bytes b = 2; repeated int32 r = 3;
//	                map<string, string> m = 4; Shape n = 5; }
//
// (tags, XXX_ bookkeeping fields): what reflect.DeepEqual compared before
// the run.
type shape13 struct {
	D                    float64           `protobuf:"fixed64,1,opt,name=d,proto3" json:"d,omitempty"`
	B                    []byte            `protobuf:"bytes,2,opt,name=b,proto3" json:"b,omitempty"`
	R                    []int32           `protobuf:"varint,3,rep,packed,name=r,proto3" json:"r,omitempty"`
	M                    map[string]string `protobuf:"bytes,4,rep,name=m,proto3" json:"m,omitempty" protobuf_key:"bytes,1,opt,name=key,proto3" protobuf_val:"bytes,2,opt,name=value,proto3"`
	N                    *shape13          `protobuf:"bytes,5,opt,name=n,proto3" json:"n,omitempty"`
	XXX_NoUnkeyedLiteral struct{}          `json:"-"`
	XXX_unrecognized     []byte            `json:"-"`
	XXX_sizecache        int32             `json:"-"`
}

func (m *shape13) Reset()         { *m = shape13{} }
func (m *shape13) String() string { return "" }
func (*shape13) ProtoMessage()    {}

// variants of each field of shape13, the distinctions DeepEqual and
// proto.Equal may disagree on among them.
var shape13Variants = []func(*shape13, int){
	func(m *shape13, i int) { m.D = []float64{0, 1, math.NaN()}[i] },
	func(m *shape13, i int) { m.B = [][]byte{nil, {}, {1}}[i] },
	func(m *shape13, i int) { m.R = [][]int32{nil, {}, {1}}[i] },
	func(m *shape13, i int) { m.M = []map[string]string{nil, {}, {"k": "v"}}[i] },
	func(m *shape13, i int) { m.N = []*shape13{nil, {}, {D: 1}}[i] },
	func(m *shape13, i int) {
		// unknown field 6 (varint 1), field 7 (varint 2), in two orders
		m.XXX_unrecognized = [][]byte{nil, {0x30, 0x01, 0x38, 0x02}, {0x38, 0x02, 0x30, 0x01}}[i]
	},
	func(m *shape13, i int) { m.XXX_sizecache = []int32{0, 0, 7}[i] },
}

func shape13Of(choice []int) *shape13 {
	m := &shape13{}
	for f, set := range shape13Variants {
		set(m, choice[f])
	}
	return m
}

// asRegenerated is the APIv2 message the regenerated type would hold for
// m: the same descriptor, the same field values.
func asRegenerated(t *testing.T, m *shape13) proto.Message {
	t.Helper()
	v2 := protoadapt.MessageV2Of(m)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(v2)
	if err != nil {
		t.Fatal(err)
	}
	d := dynamicpb.NewMessage(v2.ProtoReflect().Descriptor())
	if err := proto.Unmarshal(b, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDeepEqualImpliesProtoEqual proves what protov1.proto.deepequal
// relies on: wherever reflect.DeepEqual held on two v1.3 generated
// messages, the proto.Equal it writes holds too, before regeneration
// (the v1 struct through protoadapt.MessageV2Of) and after it (an APIv2
// message of the same descriptor). Pairs differ in every combination of
// two variants of one field, over random values of the others.
func TestDeepEqualImpliesProtoEqual(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := len(shape13Variants)
	pairs := 0
	for f := 0; f < n; f++ {
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				for k := 0; k < 30; k++ {
					ca, cb := make([]int, n), make([]int, n)
					for g := range ca {
						ca[g] = rng.Intn(3)
						cb[g] = ca[g]
					}
					ca[f], cb[f] = i, j
					a, b := shape13Of(ca), shape13Of(cb)
					if !reflect.DeepEqual(a, b) {
						continue
					}
					pairs++
					if !proto.Equal(protoadapt.MessageV2Of(a), protoadapt.MessageV2Of(b)) {
						t.Fatalf("DeepEqual but not proto.Equal (v1 struct): %v vs %v", ca, cb)
					}
					if !proto.Equal(asRegenerated(t, a), asRegenerated(t, b)) {
						t.Fatalf("DeepEqual but not proto.Equal (APIv2): %v vs %v", ca, cb)
					}
				}
			}
		}
	}
	if pairs < 100 {
		t.Fatalf("only %d DeepEqual pairs tried", pairs)
	}
}

// TestDeepEqualProtoEqualDifferences pins the documented cases where
// proto.Equal holds and reflect.DeepEqual did not, and the distinctions
// both make.
func TestDeepEqualProtoEqualDifferences(t *testing.T) {
	for _, c := range []struct {
		name       string
		a, b       *shape13
		protoEqual bool
	}{
		{"nil vs empty repeated", &shape13{}, &shape13{R: []int32{}}, true},
		{"nil vs empty map", &shape13{}, &shape13{M: map[string]string{}}, true},
		{"nil vs empty bytes", &shape13{}, &shape13{B: []byte{}}, true},
		{"NaN", &shape13{D: math.NaN()}, &shape13{D: math.NaN()}, true},
		{"size cache", &shape13{}, &shape13{XXX_sizecache: 3}, true},
		{"unknown fields in another order", &shape13{XXX_unrecognized: []byte{0x30, 0x01, 0x38, 0x02}}, &shape13{XXX_unrecognized: []byte{0x38, 0x02, 0x30, 0x01}}, true},
		{"different values", &shape13{D: 1}, &shape13{D: 2}, false},
		{"different nested values", &shape13{N: &shape13{R: []int32{1}}}, &shape13{N: &shape13{R: []int32{2}}}, false},
		{"nil vs empty message field", &shape13{}, &shape13{N: &shape13{}}, false},
		{"nil vs empty message", nil, &shape13{}, false},
	} {
		if reflect.DeepEqual(c.a, c.b) {
			t.Errorf("%s: DeepEqual holds", c.name)
		}
		if got := proto.Equal(protoadapt.MessageV2Of(c.a), protoadapt.MessageV2Of(c.b)); got != c.protoEqual {
			t.Errorf("%s: proto.Equal = %v, want %v", c.name, got, c.protoEqual)
		}
	}
}

// TestDeepEqualOnAPIv2Messages is why the rule exists: two equal APIv2
// messages stop being DeepEqual once one of them has been marshaled
// (its MessageState points to the message info), while proto.Equal
// answers by content.
func TestDeepEqualOnAPIv2Messages(t *testing.T) {
	a := &descriptorpb.FileDescriptorProto{Name: proto.String("a.proto")}
	b := &descriptorpb.FileDescriptorProto{Name: proto.String("a.proto")}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("fresh messages differ")
	}
	if _, err := proto.Marshal(a); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, b) {
		t.Error("DeepEqual still holds after Marshal; the rule's premise is gone")
	}
	if !proto.Equal(a, b) {
		t.Error("proto.Equal differs after Marshal")
	}
}

// protoDeepEqual is reflect.DeepEqual, except that two APIv2 messages of
// one type are compared with proto.Equal: their structs hold internal
// state (protoimpl.MessageState, a size cache) that DeepEqual would
// compare. (Written by protolift for reflect.DeepEqual calls on values
// that may be messages.)
func protoDeepEqual(x, y interface{}) bool {
	mx, okx := x.(protoreflect.ProtoMessage)
	my, oky := y.(protoreflect.ProtoMessage)
	if okx && oky && reflect.TypeOf(x) == reflect.TypeOf(y) {
		return proto.Equal(mx, my)
	}
	return reflect.DeepEqual(x, y)
}

// TestDeepEqualHelper: the helper protov1.proto.deepequal writes (the
// function above is its text, TestDeepEqualHelperText holds them
// together) answers as reflect.DeepEqual except for two APIv2 messages
// of one type, which it compares by content; hand-written v1 messages
// and non-messages keep DeepEqual's answer.
func TestDeepEqualHelper(t *testing.T) {
	marshaled := &descriptorpb.FileDescriptorProto{Name: proto.String("a")}
	if _, err := proto.Marshal(marshaled); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		x, y interface{}
		want bool
	}{
		{"APIv2 messages, one marshaled", marshaled, &descriptorpb.FileDescriptorProto{Name: proto.String("a")}, true},
		{"APIv2 messages that differ", marshaled, &descriptorpb.FileDescriptorProto{}, false},
		{"typed nils", (*descriptorpb.FileDescriptorProto)(nil), (*descriptorpb.FileDescriptorProto)(nil), true},
		{"nil vs empty", (*descriptorpb.FileDescriptorProto)(nil), &descriptorpb.FileDescriptorProto{}, false},
		{"different message types", &descriptorpb.FileOptions{}, &descriptorpb.FieldOptions{}, false},
		{"hand-written v1 messages that differ", &shape13{D: 1}, &shape13{D: 2}, false},
		{"hand-written v1 messages, size cache", &shape13{}, &shape13{XXX_sizecache: 1}, false},
		{"strings", "a", "a", true},
		{"nil interfaces", nil, nil, true},
	} {
		if got := protoDeepEqual(c.x, c.y); got != c.want {
			t.Errorf("%s: protoDeepEqual = %v, want %v", c.name, got, c.want)
		}
		if _, isV2 := c.x.(protoreflect.ProtoMessage); !isV2 && protoDeepEqual(c.x, c.y) != reflect.DeepEqual(c.x, c.y) {
			t.Errorf("%s: differs from reflect.DeepEqual on a value that is not an APIv2 message", c.name)
		}
	}
}
