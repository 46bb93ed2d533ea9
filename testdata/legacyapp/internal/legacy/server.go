package legacy

import (
	"context"
	"sync"

	"github.com/golang/protobuf/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	legacypb "example.com/legacyapp/proto/legacy/v1"
)

// Server implements legacypb.LegacyServiceServer. It embeds nothing: the
// service has a single method and is frozen, so there is nothing to be
// forward compatible with.
type Server struct {
	mu      sync.RWMutex
	records map[string]*legacypb.Record
}

// NewServer serves the given records, keyed by id.
func NewServer(records ...*legacypb.Record) *Server {
	s := &Server{records: make(map[string]*legacypb.Record, len(records))}
	for _, r := range records {
		s.records[r.GetId()] = r
	}
	return s
}

// Lookup returns a copy of the record so callers cannot change the served one.
func (s *Server) Lookup(ctx context.Context, req *legacypb.LookupRequest) (*legacypb.Record, error) {
	if req.GetId() == "" {
		return nil, grpc.Errorf(codes.InvalidArgument, "lookup: id is required")
	}
	s.mu.RLock()
	r, ok := s.records[req.GetId()]
	s.mu.RUnlock()
	if !ok {
		return nil, grpc.Errorf(codes.NotFound, "lookup: no record %q", req.GetId())
	}
	out := proto.Clone(r).(*legacypb.Record)
	// include_extensions defaults to true in the .proto, so old clients that
	// never set it still get everything.
	if !req.GetIncludeExtensions() {
		StripForBridge(out)
		proto.ClearExtension(out, legacypb.E_Priority)
		proto.ClearExtension(out, legacypb.E_SourceSystem)
	}
	return out, nil
}
