package ptypes_duration

import (
	"time"

	. "github.com/golang/protobuf/ptypes"
	"google.golang.org/protobuf/types/known/durationpb"
)

func dotted(d *durationpb.Duration) (time.Duration, error) {
	return Duration(d)
}

func dottedProto() *durationpb.Duration {
	return DurationProto(time.Second)
}
