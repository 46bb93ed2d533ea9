package ptypes_timestamp

import (
	"fmt"
	"time"

	"github.com/golang/protobuf/ptypes"
	tspb "github.com/golang/protobuf/ptypes/timestamp"
)

type event struct {
	At *tspb.Timestamp
}

// toProto converts a creation time.
func toProto(t time.Time) (*tspb.Timestamp, error) {
	// Convert, keeping the error.
	ts, err := ptypes.TimestampProto(t /* creation */) // trailing comment
	if err != nil {
		return nil, fmt.Errorf("bad time: %w", err)
	}
	return ts, nil
}

func direct(t time.Time) (*tspb.Timestamp, error) {
	return ptypes.TimestampProto(t)
}

func fromProto(e *event) (time.Time, error) {
	t, err := ptypes.Timestamp(e.At)
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}

func ignoreErr(t time.Time) *tspb.Timestamp {
	ts, _ := ptypes.TimestampProto(t)
	return ts
}

func inIf(e *event) string {
	if t, err := ptypes.Timestamp(e.At); err == nil {
		return t.String()
	}
	return ptypes.TimestampString(e.At)
}

func now() *tspb.Timestamp { return ptypes.TimestampNow() }

func assign(e *event, t time.Time) error {
	var err error
	e.At, err = ptypes.TimestampProto(t)
	return err
}

func methodValue() {
	f := ptypes.TimestampProto // want "used as a value"
	_ = f
}

func sideEffects(get func() *tspb.Timestamp) error {
	_, err := ptypes.Timestamp(get()) // get runs once
	return err
}

func stamp() *tspb.Timestamp { return ptypes.TimestampNow() }

// The argument is a call: it gets a variable so it still runs once.
func impure() bool {
	// Checked at start-up.
	if now, err := ptypes.Timestamp(stamp()); err != nil || time.Since(now) > time.Minute {
		return false
	}
	return true
}

type tsHolder struct{ T *tspb.Timestamp }

// asserted is the shape ptypes.Duration(x.(T).D) has in dur.go: one
// side-effect analysis gives both the same answer.
func asserted(x interface{}) (time.Time, error) {
	return ptypes.Timestamp(x.(tsHolder).T)
}

func assertedAssign(x interface{}) (time.Time, error) {
	t, err := ptypes.Timestamp(x.(*tsHolder).T)
	return t, err
}

// takenParam's parameter is called like the variable the rewrite of a
// returned call declares (as in dur.go): the name is numbered.
func takenParam(x *tspb.Timestamp, t int) (time.Time, error) {
	return ptypes.Timestamp(x)
}
