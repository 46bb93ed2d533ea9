package descriptor

import (
	"github.com/golang/protobuf/descriptor"
	"github.com/golang/protobuf/ptypes/any"
)

// The argument, moved into the new expression, still names a
// well-known type of golang/protobuf: it moves to anypb in the same run.
func anyName() string {
	fd, md := descriptor.ForMessage(&any.Any{})
	return fd.GetName() + md.GetName()
}
