package wkt_imports

import (
	"github.com/golang/protobuf/ptypes/any"
	"github.com/golang/protobuf/ptypes/empty"
)

// The old package was named any, which hid Go's predeclared any in this file.
func pack(a *any.Any) *empty.Empty {
	_ = a.GetTypeUrl() // type URL
	return &empty.Empty{}
}
