// Package codec holds the conversions ordersd makes between protobuf messages
// and the formats partners, logs and storage use.
package codec

import (
	"fmt"
	"time"

	"github.com/golang/protobuf/ptypes"
	"github.com/golang/protobuf/ptypes/duration"
	"github.com/golang/protobuf/ptypes/timestamp"
)

// ParseCreatedAt turns the RFC 3339 string the storefront sends into a
// Timestamp.
func ParseCreatedAt(s string) (*timestamp.Timestamp, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("codec: created_at %q is not RFC 3339: %v", s, err)
	}
	// The storefront has sent "0000-12-31T00:00:00Z" for guest checkouts;
	// TimestampProto refuses anything before year 1, which is what we want.
	ts, err := ptypes.TimestampProto(t)
	if err != nil {
		return nil, fmt.Errorf("codec: created_at %q out of range: %v", s, err)
	}
	return ts, nil
}

// Age reports how long before now ts happened.
func Age(ts *timestamp.Timestamp, now time.Time) (time.Duration, error) {
	t, err := ptypes.Timestamp(ts) // nil and out-of-range both end up here
	if err != nil {
		return 0, fmt.Errorf("codec: bad timestamp: %v", err)
	}
	return now.Sub(t), nil
}

// Stamp is the time we put on events. It is a function so that every
// producer uses the same clock and the same precision.
func Stamp() *timestamp.Timestamp {
	return ptypes.TimestampNow()
}

// FormatTimestamp is for log lines only: an invalid timestamp prints as
// "(error)" instead of failing the request that logs it.
func FormatTimestamp(ts *timestamp.Timestamp) string {
	return ptypes.TimestampString(ts)
}

// DeliveryWindow returns the window an order asked for, or fallback when the
// client left it out. Negative windows come from a clock bug in an old iOS
// build and are rejected.
func DeliveryWindow(d *duration.Duration, fallback time.Duration) (time.Duration, error) {
	if d == nil {
		return fallback, nil
	}
	w, err := ptypes.Duration(d)
	if err != nil {
		return 0, fmt.Errorf("codec: delivery window: %v", err)
	}
	if w < 0 {
		return 0, fmt.Errorf("codec: delivery window %v is negative", w)
	}
	return w, nil
}

// WindowProto is the inverse of DeliveryWindow for windows we compute.
func WindowProto(w time.Duration) *duration.Duration {
	return ptypes.DurationProto(w.Round(time.Second)) // clients show whole seconds
}
