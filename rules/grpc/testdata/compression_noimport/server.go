package compression_noimport

import "google.golang.org/grpc"

func server() *grpc.Server {
	return grpc.NewServer(grpc.RPCDecompressor(grpc.NewGZIPDecompressor())) // want "register gzip by importing"
}
