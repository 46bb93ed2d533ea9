package codec

import (
	"fmt"

	"github.com/golang/protobuf/proto"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

// MaxStoredOrder is what the key-value store accepts per value.
const MaxStoredOrder = 64 << 10

// EncodeOrder serialises an order for the store.
func EncodeOrder(o *orderspb.Order) ([]byte, error) {
	if err := CheckSize(o, MaxStoredOrder); err != nil {
		return nil, err
	}
	b, err := proto.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("codec: encoding order %s: %v", o.GetId(), err)
	}
	return b, nil
}

// DecodeOrderBytes is the inverse of EncodeOrder.
func DecodeOrderBytes(b []byte) (*orderspb.Order, error) {
	o := &orderspb.Order{}
	if err := proto.Unmarshal(b, o); err != nil {
		return nil, fmt.Errorf("codec: decoding stored order (%d bytes): %v", len(b), err)
	}
	return o, nil
}

// CloneOrder returns a deep copy so that callers can hand out orders without
// sharing the store's copy.
func CloneOrder(o *orderspb.Order) *orderspb.Order {
	return proto.Clone(o).(*orderspb.Order)
}

// SameOrder compares orders by content, not by pointer.
func SameOrder(a, b *orderspb.Order) bool {
	return proto.Equal(a, b)
}

// MergeUpdate applies the set fields of update on top of o: scalars that
// are set replace, repeated fields and maps are appended/merged.
func MergeUpdate(o, update *orderspb.Order) {
	proto.Merge(o, update)
}

// CheckSize refuses messages bigger than limit bytes on the wire.
func CheckSize(m proto.Message, limit int) error {
	if n := proto.Size(m); n > limit {
		return fmt.Errorf("codec: %s is %d bytes, over the %d-byte limit", proto.MessageName(m), n, limit)
	}
	return nil
}
