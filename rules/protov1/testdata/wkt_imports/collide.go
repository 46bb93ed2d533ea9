package wkt_imports

import (
	"github.com/golang/protobuf/ptypes/timestamp"
)

// A parameter named like the new package must not capture its references.
func later(timestamppb int, t *timestamp.Timestamp) bool {
	return t.GetSeconds() > int64(timestamppb)
}
