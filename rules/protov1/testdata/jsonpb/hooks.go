package jsonpb

import "github.com/golang/protobuf/jsonpb"

var _ jsonpb.JSONPBMarshaler = nil // want "JSONPBMarshaler has no protojson counterpart"

type resolver struct{ jsonpb.AnyResolver } // want "AnyResolver has no protojson counterpart"
