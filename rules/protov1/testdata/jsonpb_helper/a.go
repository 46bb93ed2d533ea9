// Package jsonpb_helper needs the merge helper in two files: it is added
// once, to the first of them, and its v2 proto import must not collide
// with the file's v1 one.
package jsonpb_helper

import (
	"io"

	jpb "github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
)

func decode(r io.Reader, m proto.Message) error {
	return jpb.Unmarshal(r, m) // want "importer passes one"
}

func size(m proto.Message) int { return proto.Size(m) }
