package proto_scalars

import (
	"github.com/golang/protobuf/proto"
)

type opts struct {
	Name  *string
	Count *int32
	On    *bool
	Ratio *float64
}

func build(n int) *opts {
	return &opts{
		Name:  proto.String("x" /* name */), // trailing
		Count: proto.Int(n + 1),
		On:    proto.Bool(true),
		Ratio: proto.Float64(0.5),
	}
}

func values() (func(string) *string, func(int) *int32) {
	s := proto.String
	return s, proto.Int // want "proto.Int is used as a function value"
}

func widths() (*int64, *uint32, *uint64, *float32) {
	return proto.Int64(1), proto.Uint32(2), proto.Uint64(3), proto.Float32(4)
}

func shadow() string {
	proto := struct{ String func(string) string }{String: func(s string) string { return s }}
	return proto.String("local")
}

const retries = 3

const typed int = 2

// An untyped constant needs no conversion; a typed one keeps it.
func constants() []*int32 {
	return []*int32{proto.Int(1), proto.Int(-3), proto.Int(retries), proto.Int(typed)}
}
