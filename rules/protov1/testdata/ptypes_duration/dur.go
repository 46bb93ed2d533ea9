package ptypes_duration

import (
	"time"

	"github.com/golang/protobuf/ptypes"
	durpb "github.com/golang/protobuf/ptypes/duration"
)

type job struct {
	Timeout *durpb.Duration
}

// timeout reads the job's timeout.
func timeout(j *job) (time.Duration, error) {
	// Convert, keeping the error.
	d, err := ptypes.Duration(j.Timeout /* proto */) // trailing
	if err != nil {
		return 0, err
	}
	return d, nil
}

func direct(j *job) (time.Duration, error) {
	return ptypes.Duration(j.GetTimeout())
}

func (j *job) GetTimeout() *durpb.Duration { return j.Timeout }

func ignoreErr(j *job) time.Duration {
	d, _ := ptypes.Duration(j.Timeout)
	return d
}

func onlyErr(j *job) bool {
	_, err := ptypes.Duration(j.Timeout)
	return err == nil
}

func toProto(d time.Duration) *durpb.Duration {
	return ptypes.DurationProto(d /* wall */)
}

var conv = ptypes.DurationProto

func methodValue() {
	f := ptypes.Duration // want "used as a value"
	_ = f
}

func sideEffects(get func() *durpb.Duration) error {
	_, err := ptypes.Duration(get())
	return err
}

func asArg(j *job) {
	use(ptypes.Duration(j.Timeout)) // want "error result is used"
}

func use(time.Duration, error) {}

func shadow() {
	ptypes := struct{ Duration func(int) int }{func(i int) int { return i }}
	_ = ptypes.Duration(1)
}

type holder struct{ D *durpb.Duration }

// asserted is the shape ptypes.Timestamp(x.(T).T) has in ts.go: one
// side-effect analysis gives both the same answer.
func asserted(x interface{}) (time.Duration, error) {
	return ptypes.Duration(x.(holder).D)
}

func assertedAssign(x interface{}) (time.Duration, error) {
	d, err := ptypes.Duration(x.(*holder).D)
	return d, err
}

// taken already uses the variable name the rewrite of a returned call
// declares: the rule's one name allocator (rule.Pass.Names) numbers it
// instead of refusing the call.
func taken(x *durpb.Duration, dur int) (time.Duration, error) {
	_ = dur
	return ptypes.Duration(x)
}

// takenParam's parameter is called like that variable but not used in
// the body (which shares the parameters' scope): the name is numbered
// here too, where a block-only check declared dur again (no new
// variables on the left side of :=).
func takenParam(x *durpb.Duration, dur int) (time.Duration, error) {
	return ptypes.Duration(x)
}
