package proto_codec

import (
	protoV1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

func both(d *durationpb.Duration, l *legacy) bool {
	_ = proto.Size(d)
	return protoV1.Equal(d, l)
}
