package proto_scalars

import (
	. "github.com/golang/protobuf/proto"
)

func dot() *string { return String("dot") }
