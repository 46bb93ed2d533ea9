module example.com/lib

go 1.12

require (
	example.com/fakedep v1.0.0
	google.golang.org/grpc v1.27.0
)

replace example.com/fakedep => ./fakedep
