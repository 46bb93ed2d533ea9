package compression

import (
	"google.golang.org/grpc"
)

func client() (*grpc.ClientConn, error) {
	return grpc.NewClient("dns:///svc",
		grpc.WithCompressor(grpc.NewGZIPCompressor()), // compress requests
		// Accept gzip answers.
		grpc.WithDecompressor(grpc.NewGZIPDecompressor()),
	)
}

func server(level int) *grpc.Server {
	cp, err := grpc.NewGZIPCompressorWithLevel(level) // want "process"
	if err != nil {
		panic(err)
	}
	return grpc.NewServer(
		grpc.RPCCompressor(cp), // want "RPCCompressor is deprecated"
		grpc.RPCDecompressor(grpc.NewGZIPDecompressor()),
	)
}

type myComp struct{ grpc.Compressor } // want "Compressor is deprecated"

func custom(c myComp) grpc.DialOption {
	return grpc.WithCompressor(c) // want "implement encoding.Compressor"
}
