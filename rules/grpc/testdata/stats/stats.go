package stats

import (
	"context"

	"google.golang.org/grpc/stats"
)

type handler struct{}

func (handler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	ctx = stats.SetTags(ctx, []byte("tags"))
	return stats.SetTrace(ctx /* ctx */, []byte{1, 2})
}

func (handler) HandleRPC(ctx context.Context, s stats.RPCStats) {
	switch s := s.(type) {
	case *stats.PickerUpdated:
		_ = s
	case *stats.OutTrailer:
		_ = s.WireLength // want "never set"
	case *stats.End:
		_ = s.Trailer // want "InTrailer"
	}
	_ = stats.Tags(ctx) // want "grpc-tags-bin"
}

var set = stats.SetTags // want "function value"

type server struct{ trace []byte }

func (s *server) read(ctx context.Context) int {
	// Tags of the incoming call.
	tags := stats.Tags(ctx) // decoded later
	s.trace = stats.Trace(ctx)
	vs := []string{"x"}
	if t := stats.Trace(metadataCtx(ctx, vs)); t != nil { // want "grpc-trace-bin"
		return len(t)
	}
	return len(tags) + len(vs)
}

func metadataCtx(ctx context.Context, _ []string) context.Context { return ctx }
