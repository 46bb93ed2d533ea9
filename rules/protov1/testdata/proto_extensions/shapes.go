package proto_extensions

import (
	"fmt"

	pb "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

func initOnly(opts *descriptorpb.FieldOptions) {
	if v, _ := pb.GetExtension(opts, E_Label); v != nil { // want "not rewritten: the value is used without a type assertion"
		fmt.Println("set")
	}
}

func lit(opts *descriptorpb.FieldOptions) func() error {
	return func() error {
		return pb.SetExtension(opts, E_Label, pb.String("z")) // comment kept once
	}
}

func switched(opts *descriptorpb.FieldOptions) string {
	v, err := pb.GetExtension(opts, E_Priority) // want "not rewritten: the value is used in a type switch"
	if err != nil {
		return ""
	}
	switch x := v.(type) {
	case *int32:
		return fmt.Sprint(*x)
	}
	return "?"
}
