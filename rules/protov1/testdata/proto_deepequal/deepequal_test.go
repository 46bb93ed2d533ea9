package proto_deepequal

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func TestPointers(t *testing.T) {
	got, want := &durationpb.Duration{Seconds: 1}, &durationpb.Duration{Seconds: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The shape of grpc-gateway's codegenerator test: both messages
// dereferenced, for the comparison and for the message.
func TestDereferenced(t *testing.T) {
	out, want := new(pluginpb.CodeGeneratorRequest), &pluginpb.CodeGeneratorRequest{}
	if !reflect.DeepEqual(*out, *want) {
		t.Errorf("got %v, want %v", *out, *want)
	}
	t.Logf("%d %v", 1, *out)
}

func TestValues(t *testing.T) {
	var got descriptorpb.FileDescriptorProto
	want := descriptorpb.FileDescriptorProto{Name: nil}
	cases := []descriptorpb.FileDescriptorProto{{}}
	holder := holder{}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(cases[0], holder.m) {
		t.Fail()
	}
	if !reflect.DeepEqual(v12{}, v12{}) {
		t.Fail()
	}
}

type holder struct {
	m descriptorpb.FileDescriptorProto
}

type v1Message interface {
	Reset()
	String() string
	ProtoMessage()
}

func newFile() descriptorpb.FileDescriptorProto { return descriptorpb.FileDescriptorProto{} }

// Table-driven tests that hold messages as interface{} values go through
// the helper.
func TestInterfaces(t *testing.T) {
	for _, c := range []struct{ data interface{} }{{&durationpb.Duration{}}, {"s"}} {
		got := reflect.New(reflect.TypeOf(c.data)).Elem().Interface()
		if !reflect.DeepEqual(got, c.data) {
			t.Log(got)
		}
		if reflect.DeepEqual(c.data, &durationpb.Duration{}) {
			t.Log(got)
		}
		// errors are not where tests keep messages
		var err, want error
		if !reflect.DeepEqual(err, want) {
			t.Log(err)
		}
	}
}

func TestRefused(t *testing.T) {
	var a, b []*durationpb.Duration
	if !reflect.DeepEqual(a, b) { // want "hold messages; compare the messages one by one"
		t.Fail()
	}
	var x descriptorpb.FileDescriptorProto
	if !reflect.DeepEqual(newFile(), x) { // want "not addressable"
		t.Fail()
	}
	var i, j v1Message
	if reflect.DeepEqual(i, j) {
		t.Fail()
	}
	var d *durationpb.Duration
	var e durationpb.Duration
	if reflect.DeepEqual(d, e) { // want "different types"
		t.Fail()
	}
	// A hand-written message is left alone: DeepEqual still compares its
	// fields, while proto.Equal would see none.
	if !reflect.DeepEqual(&legacy{Name: "a"}, &legacy{Name: "a"}) {
		t.Fail()
	}
	// Not messages.
	if !reflect.DeepEqual([]int{1}, []int{1}) {
		t.Fail()
	}
}
