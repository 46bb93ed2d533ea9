module github.com/protolift/protolift

go 1.26.0

require (
	github.com/bufbuild/protocompile v0.14.1
	github.com/dave/dst v0.28.0
	github.com/golang/protobuf v1.5.4
	github.com/sergi/go-diff v1.4.0
	golang.org/x/mod v0.42.0
	golang.org/x/tools v0.52.0
	google.golang.org/protobuf v1.36.12
)

require golang.org/x/sync v0.24.0 // indirect
