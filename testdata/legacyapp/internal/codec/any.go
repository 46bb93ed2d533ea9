package codec

import (
	"fmt"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	"github.com/golang/protobuf/ptypes/any"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

// PackDetail wraps a message for Order.details or OrderEvent.payload.
func PackDetail(m proto.Message) (*any.Any, error) {
	a, err := ptypes.MarshalAny(m)
	if err != nil {
		return nil, fmt.Errorf("codec: packing %s: %v", proto.MessageName(m), err)
	}
	return a, nil
}

// FindGiftNote returns the first gift note among details, or nil if there is
// none.
func FindGiftNote(details []*any.Any) (*orderspb.GiftNote, error) {
	for i, d := range details {
		if !ptypes.Is(d, &orderspb.GiftNote{}) {
			continue
		}
		note := &orderspb.GiftNote{}
		if err := ptypes.UnmarshalAny(d, note); err != nil {
			return nil, fmt.Errorf("codec: details[%d]: %v", i, err)
		}
		return note, nil
	}
	return nil, nil
}

// DescribeDetails renders details for the support console. Types this
// binary does not link in are shown by name only, because partners attach
// their own messages.
func DescribeDetails(details []*any.Any) []string {
	out := make([]string, 0, len(details))
	for _, d := range details {
		name, err := ptypes.AnyMessageName(d)
		if err != nil {
			out = append(out, fmt.Sprintf("<malformed: %v>", err))
			continue
		}
		dyn := &ptypes.DynamicAny{}
		if err := ptypes.UnmarshalAny(d, dyn); err != nil {
			out = append(out, name)
			continue
		}
		out = append(out, name+" "+proto.CompactTextString(dyn.Message))
	}
	return out
}
