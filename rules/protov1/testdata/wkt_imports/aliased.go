package wkt_imports

import (
	durpb "github.com/golang/protobuf/ptypes/duration"
	structpb "github.com/golang/protobuf/ptypes/struct"
	wrappers "github.com/golang/protobuf/ptypes/wrappers"
)

// A file that aliased its imports keeps its names.
func values(d *durpb.Duration) (*structpb.Value, *wrappers.StringValue) {
	return &structpb.Value{Kind: &structpb.Value_StringValue{StringValue: d.String()}}, &wrappers.StringValue{Value: "x"}
}
