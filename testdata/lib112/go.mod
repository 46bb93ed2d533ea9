module example.com/lib112

go 1.12

require (
	github.com/golang/protobuf v1.3.5
	google.golang.org/grpc v1.27.0
)
