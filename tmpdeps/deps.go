package tmpdeps

import (
	_ "github.com/bufbuild/protocompile"
	_ "github.com/dave/dst"
	_ "github.com/sergi/go-diff/diffmatchpatch"
	_ "golang.org/x/mod/modfile"
	_ "golang.org/x/tools/go/packages"
	_ "google.golang.org/grpc"
	_ "google.golang.org/protobuf/compiler/protogen"
	_ "google.golang.org/protobuf/proto"
)
