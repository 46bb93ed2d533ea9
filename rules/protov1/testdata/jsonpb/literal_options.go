package jsonpb

import (
	"io"

	"github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/types/known/structpb"
)

// patch merges a partial document into dst with options written inline,
// as legacyapp's ApplyPatch does: the literal is free of side effects, so
// it may be evaluated after the read, and the merge helper takes it by
// value.
func patch(dst *structpb.Struct, r io.Reader) error {
	err := (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(r, dst)
	if err != nil {
		return err
	}
	return nil
}
