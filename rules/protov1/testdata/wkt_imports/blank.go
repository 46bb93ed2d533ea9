package wkt_imports

import (
	// Registers the descriptor types.
	_ "github.com/golang/protobuf/protoc-gen-go/descriptor"
)
