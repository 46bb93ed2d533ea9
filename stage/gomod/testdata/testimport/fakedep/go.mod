module example.com/fakedep

go 1.12

require google.golang.org/grpc v1.27.0
