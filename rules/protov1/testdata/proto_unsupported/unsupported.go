package proto_unsupported

import (
	"errors"
	"reflect"

	"github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

func marshal(m *durationpb.Duration) ([]byte, error) {
	proto.SetDefaults(m) // want "SetDefaults has no APIv2 equivalent"
	b, err := proto.Marshal(m)
	if err == proto.ErrNil { // want "ErrNil is no longer returned"
		return nil, nil
	}
	var rnse *proto.RequiredNotSetError // want "RequiredNotSetError is never returned"
	if errors.As(err, &rnse) {
		return b, nil
	}
	return b, err
}

func buffer(m *durationpb.Duration) []byte {
	buf := proto.NewBuffer(nil) // want "NewBuffer has no APIv2 type"
	_ = buf.Marshal(m)
	return buf.Bytes()
}

func equal(a, b *durationpb.Duration) bool {
	if reflect.DeepEqual(a, b) { // rewritten by protov1.proto.deepequal
		return true
	}
	return reflect.DeepEqual([]int{1}, []int{1})
}

func stats() uint64 {
	s := proto.GetStats() // want "GetStats always returns zeros"
	return s.Encode
}

const _ = proto.ProtoPackageIsVersion4 // want "regenerate"

type plain struct{ A int }

func compareLegacy(a, b legacy, c, d plain) bool {
	return a == b || c == d // want "comparing message structs"
}
