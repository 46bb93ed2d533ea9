package proto_codec

import (
	. "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

func dotted(d *durationpb.Duration, l *legacy) (int, Message) {
	return Size(d), Clone(l)
}
