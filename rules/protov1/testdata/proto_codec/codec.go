package proto_codec

import (
	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

func roundTrip(d *durationpb.Duration) (*durationpb.Duration, error) {
	// Encode first.
	b, err := proto.Marshal(d /* the duration */) // trailing
	if err != nil {
		return nil, err
	}
	out := &durationpb.Duration{}
	if err := proto.Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, proto.UnmarshalMerge(b, out)
}

func legacyCodec(l *legacy, m proto.Message) ([]byte, int, bool) {
	b, _ := proto.Marshal(l)
	_ = proto.Unmarshal(b, m)
	proto.Merge(l, m)
	return b, proto.Size(m), proto.Equal(l, &legacy{Name: "x"})
}

func clones(d *durationpb.Duration, l *legacy, m proto.Message) (*durationpb.Duration, *legacy, proto.Message, []byte) {
	c1 := proto.Clone(d).(*durationpb.Duration)
	c2 := proto.Clone(l).(*legacy)
	c3 := proto.Clone(m)
	b, _ := proto.Marshal(proto.Clone(l))
	return c1, c2, c3, b
}

func multi(d *durationpb.Duration) ([]byte, error) {
	return proto.Marshal(d)
}

func values() {
	f := proto.Marshal // want "proto.Marshal is used as a function value"
	_ = f
}

func discard(d *durationpb.Duration) {
	proto.DiscardUnknown(d) // want "DiscardUnknown has no APIv2 function"
}

func shadowed(d *durationpb.Duration) int {
	proto := struct {
		Size func(*durationpb.Duration) int
	}{Size: func(*durationpb.Duration) int { return 0 }}
	return proto.Size(d)
}
