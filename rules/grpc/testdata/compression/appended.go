package compression

import (
	"google.golang.org/grpc"
)

// grpc-health-probe builds its options with append.
func appended(agent string, gzip bool) []grpc.DialOption {
	opts := []grpc.DialOption{grpc.WithUserAgent(agent)}
	if gzip {
		opts = append(opts,
			grpc.WithCompressor(grpc.NewGZIPCompressor()),
			grpc.WithDecompressor(grpc.NewGZIPDecompressor()), // gzip answers
		)
	}
	opts = append(opts, grpc.WithDecompressor(grpc.NewGZIPDecompressor()))
	more := append([]grpc.DialOption(nil), opts...)
	return append(more, grpc.WithDecompressor(grpc.NewGZIPDecompressor()), grpc.WithUserAgent(agent))
}
