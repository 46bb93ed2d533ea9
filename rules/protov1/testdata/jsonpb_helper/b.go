package jsonpb_helper

import (
	. "github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func decodeString(s string, v *wrapperspb.StringValue) error {
	return UnmarshalString(s, v)
}

func fresh(s string) (*wrapperspb.StringValue, error) {
	v := new(wrapperspb.StringValue)
	err := UnmarshalString(s, v)
	return v, err
}

func notFresh(s string) (*wrapperspb.StringValue, error) {
	v := new(wrapperspb.StringValue)
	v.Value = "x"
	err := UnmarshalString(s, v)
	return v, err
}
