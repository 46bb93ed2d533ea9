package proto_wire

import (
	"errors"

	"github.com/golang/protobuf/proto"
)

func tag(field int) []byte {
	// The key, then a length.
	b := proto.EncodeVarint(uint64(field)<<3 | proto.WireBytes /* bytes */)
	return append(b, proto.EncodeVarint(3)...)
}

func size(v uint64) int { return proto.SizeVarint(v) }

var sizer = proto.SizeVarint

func decode(b []byte) (uint64, []byte, error) {
	x, n := proto.DecodeVarint(b)
	if n == 0 {
		return 0, nil, errors.New("bad varint")
	}
	return x, b[n:], nil
}

func decodeOK(b []byte) bool {
	_, n := proto.DecodeVarint(b)
	return 0 != n
}

func ignore(b []byte) uint64 {
	x, _ := proto.DecodeVarint(b)
	return x
}

func unchecked(b []byte) []byte {
	_, n := proto.DecodeVarint(b) // want "no test of n against 0"
	return b[n:]
}

func kind(wt int) string {
	switch wt {
	case proto.WireVarint:
		return "varint"
	case proto.WireFixed32, proto.WireFixed64:
		return "fixed"
	}
	return "other"
}

const key = 1<<3 | proto.WireStartGroup // want "untyped constant expression"

func value() {
	f := proto.EncodeVarint // want "function value"
	_ = f
}
