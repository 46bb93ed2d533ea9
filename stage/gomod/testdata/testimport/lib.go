// Package lib requires fakedep, whose tests import
// google.golang.org/grpc/naming (gone since grpc-go v1.30): in a module at
// go 1.16 or lower, go mod tidy loads those tests too.
package lib

import (
	"example.com/fakedep"
	"google.golang.org/grpc"
)

var _ = grpc.Dial
var _ = fakedep.Name
