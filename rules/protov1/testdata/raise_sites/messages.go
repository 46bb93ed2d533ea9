package raise_sites

import (
	"encoding/json"
	"errors"

	structpb "github.com/golang/protobuf/ptypes/struct"
)

// bareMap is a hand-written v1 message: its map field has no
// protobuf_key/protobuf_val tags.
type bareMap struct {
	M map[string]string `protobuf:"bytes,1,rep,name=m"` // want "protov1.raise.behaviour: with github.com/golang/protobuf raised to v1.4.0 or later, the map field bareMap.M .*no protobuf_key/protobuf_val"
}

func (m *bareMap) Reset()         { *m = bareMap{} }
func (m *bareMap) String() string { return "bareMap" }
func (*bareMap) ProtoMessage()    {}

// taggedMap has the tags: nothing changes.
type taggedMap struct {
	M map[string]string `protobuf:"bytes,1,rep,name=m" protobuf_key:"bytes,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"`
}

func (m *taggedMap) Reset()         { *m = taggedMap{} }
func (m *taggedMap) String() string { return "taggedMap" }
func (*taggedMap) ProtoMessage()    {}

type inner struct {
	S string `protobuf:"bytes,1,opt,name=s"`
}

func (m *inner) Reset()         { *m = inner{} }
func (m *inner) String() string { return "inner" }
func (*inner) ProtoMessage()    {}

// byValue holds a message field by value; byPointer as protoc-gen-go does.
type byValue struct {
	N inner `protobuf:"bytes,1,opt,name=n"` // want "protov1.raise.behaviour: with github.com/golang/protobuf raised to v1.4.0 or later, the message field byValue.N .*struct value, not a pointer"
}

func (m *byValue) Reset()         { *m = byValue{} }
func (m *byValue) String() string { return "byValue" }
func (*byValue) ProtoMessage()    {}

type byPointer struct {
	N *inner `protobuf:"bytes,1,opt,name=n"`
}

func (m *byPointer) Reset()         { *m = byPointer{} }
func (m *byPointer) String() string { return "byPointer" }
func (*byPointer) ProtoMessage()    {}

type isO interface{ isO() }

type oB struct {
	B bool `protobuf:"varint,2,opt,name=b,oneof"`
}

func (*oB) isO() {}

// oneofBare has no XXX_OneofWrappers; oneofListed has it.
type oneofBare struct {
	O isO `protobuf_oneof:"o"` // want "protov1.raise.behaviour: with github.com/golang/protobuf raised to v1.4.0 or later, the hand-written message type oneofBare has a oneof field .O. but no XXX_OneofWrappers"
}

func (m *oneofBare) Reset()         { *m = oneofBare{} }
func (m *oneofBare) String() string { return "oneofBare" }
func (*oneofBare) ProtoMessage()    {}

type oneofListed struct {
	O isO `protobuf_oneof:"o"`
}

func (m *oneofListed) Reset()                         { *m = oneofListed{} }
func (m *oneofListed) String() string                 { return "oneofListed" }
func (*oneofListed) ProtoMessage()                    {}
func (*oneofListed) XXX_OneofWrappers() []interface{} { return []interface{}{(*oB)(nil)} }

// floatKey has a float key, which .proto maps do not allow; boolKey's
// bool key is a valid one.
type floatKey struct {
	M map[float64]string `protobuf:"bytes,1,rep,name=m" protobuf_key:"fixed64,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"` // want "protov1.raise.behaviour: with github.com/golang/protobuf raised to v1.4.0 or later, the map field floatKey.M of a hand-written message type has a float64 key"
	B map[bool]string    `protobuf:"bytes,2,rep,name=b" protobuf_key:"varint,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"`
}

func (m *floatKey) Reset()         { *m = floatKey{} }
func (m *floatKey) String() string { return "floatKey" }
func (*floatKey) ProtoMessage()    {}

// sharedNumber gives two fields number 27 (grpc-gateway v1.14.6's test
// message did, for a field mask and a map).
type sharedNumber struct {
	Mask string `protobuf:"bytes,27,opt,name=mask"`
	Name string `protobuf:"bytes,9,opt,name=name"`
	Map  string `protobuf:"bytes,27,opt,name=map"` // want "protov1.raise.behaviour: with github.com/golang/protobuf raised to v1.4.0 or later, the fields Mask and Map of the hand-written message type sharedNumber share field number 27"
}

func (m *sharedNumber) Reset()         { *m = sharedNumber{} }
func (m *sharedNumber) String() string { return "sharedNumber" }
func (*sharedNumber) ProtoMessage()    {}

// holder is not a message: its map needs no tags.
type holder struct {
	M map[string]string `protobuf:"bytes,1,rep,name=m"`
}

type fixture struct {
	data interface{}
	json string
}

var fixtures = []fixture{
	{data: &structpb.Value{Kind: &structpb.Value_StringValue{StringValue: "abc"}}, json: `"abc"`}, // want "protov1.raise.behaviour: with google.golang.org/protobuf raised to v1.25.0 or later, a structpb.Value value stored in an interface.. in a file that uses encoding/json"
	{data: &inner{S: "a"}, json: `{}`},
}

type withStruct struct {
	S *structpb.Struct `json:"s"`
}

func encode(w withStruct, b *byPointer) ([]byte, []byte, error) {
	x, err := json.Marshal(w) // want "protov1.raise.behaviour: with google.golang.org/protobuf raised to v1.25.0 or later, json.Marshal of a value holding structpb.Struct"
	if err != nil {
		return nil, nil, err
	}
	y, err := json.Marshal(b)
	return x, y, err
}

var wantErr = errors.New("failed to unmarshal: unexpected EOF") // want "protov1.raise.behaviour: with google.golang.org/protobuf raised to v1.26.0 or later, this expected error text holds golang/protobuf v1.3's \"unexpected EOF\""

func decode(err error) bool {
	return err != nil && err.Error() == "proto: bad wiretype for field x" // want "protov1.raise.behaviour: with google.golang.org/protobuf raised to v1.26.0 or later, this expected error text holds golang/protobuf v1.3's \"proto: bad wiretype\""
}

var unrelated = "unexpected EOF"

var _ = []interface{}{holder{}, unrelated, byValue{}, oneofBare{}, oneofListed{}, bareMap{}, floatKey{}, sharedNumber{}}
