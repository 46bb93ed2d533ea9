package proto_scalars

import (
	pb "github.com/golang/protobuf/proto"
	protoV1 "github.com/golang/protobuf/proto"
)

func aliased() (*string, *int32) {
	return pb.String("a"), protoV1.Int32(3)
}
