package proto_extensions

import (
	"fmt"

	"github.com/golang/protobuf/proto"
)

// Every function here keeps the v1 GetExtension call: rewriting it while
// a use of its value stays v1-shaped would change behaviour silently.

func escapes(r *record) *string {
	v, err := proto.GetExtension(r, E_RecSource) // want "not rewritten: the pointer asserted from the value is used in a way that has no APIv2 equivalent"
	if err != nil {
		return nil
	}
	s, ok := v.(*string)
	if !ok {
		return nil
	}
	return s
}

func writesThrough(r *record) {
	v, err := proto.GetExtension(r, E_RecSource) // want "not rewritten: the pointer asserted from the value is used in a way"
	if err != nil {
		return
	}
	if s, ok := v.(*string); ok {
		*s = "changed"
	}
}

func writesAssertion(r *record) {
	v, _ := proto.GetExtension(r, E_RecPriority) // want "not rewritten: a dereferenced assertion of the value is written to"
	*v.(*int32) = 3
}

func valueAssert(r *record) int32 {
	if !proto.HasExtension(r, E_RecPriority) {
		return 0
	}
	v, _ := proto.GetExtension(r, E_RecPriority) // want "not rewritten: the value is asserted to int32"
	n, _ := v.(int32)
	return n
}

func shadowedOk(r *record) bool {
	if !proto.HasExtension(r, E_RecSource) {
		return false
	}
	v, _ := proto.GetExtension(r, E_RecSource) // want "not rewritten: the pointer asserted from the value"
	s, ok := v.(*string)
	if ok := len(r.ID) > 0; ok {
		return s == nil
	}
	return ok
}

func noReturn(r *record) int32 {
	v, err := proto.GetExtension(r, E_RecPriority) // want "not rewritten: the error is used beyond one test"
	if err == proto.ErrMissingExtension {          // want "no ErrMissingExtension"
		fmt.Println("missing")
	}
	if err != nil {
		return 0
	}
	return *v.(*int32)
}

func breaks(r *record) int32 {
	for {
		v, err := proto.GetExtension(r, E_RecPriority) // want "not rewritten: a case of the switch on the error uses break"
		switch {
		case err == proto.ErrMissingExtension: // want "no ErrMissingExtension"
			break
		case err != nil:
			return 0
		}
		return *v.(*int32)
	}
}

// otherGuard guards another extension: the err test stays as a guard.
func otherGuard(r *record) string {
	if !proto.HasExtension(r, E_RecPriority) {
		return ""
	}
	v, err := proto.GetExtension(r, E_RecSource)
	if err != nil {
		return ""
	}
	return *v.(*string)
}

func errArg(r *record, err *string) (bool, error) {
	return true, proto.SetExtension(r, E_RecSource, err) // want "not rewritten: an argument refers to a variable named err"
}

func ownRecover(r *record) (bool, error) {
	recover := func() any { return nil }
	_ = recover
	return true, proto.SetExtension(r, E_RecSource, proto.String("x")) // want "not rewritten: recover is redeclared here"
}

func valueNamedLikeMessage(rs []*record) int32 {
	for _, r := range rs {
		r, err := proto.GetExtension(r, E_RecPriority) // want "not rewritten: the value's variable r is also named in the call"
		if err != nil {
			continue
		}
		return *r.(*int32)
	}
	return 0
}

func okReassigned(r *record) bool {
	if !proto.HasExtension(r, E_RecSource) {
		return false
	}
	v, _ := proto.GetExtension(r, E_RecSource) // want "not rewritten: the pointer asserted from the value"
	s, ok := v.(*string)
	ok = ok && len(r.ID) > 0
	return s != nil
}

func singleNilTest(r *record) bool {
	v, _ := proto.GetExtension(r, E_RecSource) // want "not rewritten: the pointer asserted from the value"
	s := v.(*string)
	return s == nil
}

// presence tests the asserted pointer where the extension may be missing:
// v1 gave a nil value (ok false), APIv2 the default (ok true).
func presence(r *record) bool {
	v, _ := proto.GetExtension(r, E_RecSource) // want "not rewritten: a comma-ok assertion of the value may run when the extension is missing"
	s, ok := v.(*string)
	return ok && s != nil
}

func presenceAfterTest(r *record) bool {
	v, err := proto.GetExtension(r, E_RecNote) // want "not rewritten: a comma-ok assertion of the value may run when the extension is missing"
	if err != nil {
		fmt.Println("no note")
	}
	_, ok := v.(*record)
	return ok
}

func presenceInElse(r *record) bool {
	if v, err := proto.GetExtension(r, E_RecTags); err != nil { // want "not rewritten: a comma-ok assertion of the value may run when the extension is missing"
		_, ok := v.([]string)
		return ok
	}
	return false
}

func errMethod(r *record) string {
	if _, err := proto.GetExtension(r, E_RecTags); err != proto.ErrMissingExtension { // want "not rewritten: the error is used beyond one test in the if statement" // want "no ErrMissingExtension"
		return err.Error()
	}
	return ""
}

func presenceVar(r *record) bool {
	v, _ := proto.GetExtension(r, E_RecNote) // want "not rewritten: a comma-ok assertion of the value may run when the extension is missing"
	var _, ok = v.(*record)
	return ok
}

func deferred(r *record, n int32) {
	defer proto.SetExtension(r, E_RecPriority, proto.Int32(n)) // want "not rewritten: in a go or defer statement"
	n++
}
