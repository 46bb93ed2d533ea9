package proto_extensions

import (
	"errors"
	"fmt"

	"github.com/golang/protobuf/proto"
)

var E_RecPriority = &proto.ExtensionDesc{
	ExtendedType:  (*record)(nil),
	ExtensionType: (*int32)(nil),
	Field:         100,
	Name:          "legacy.priority",
	Tag:           "varint,100,opt,name=priority",
}

var E_RecSource = &proto.ExtensionDesc{
	ExtendedType:  (*record)(nil),
	ExtensionType: (*string)(nil),
	Field:         101,
	Name:          "legacy.source_system",
	Tag:           "bytes,101,opt,name=source_system",
}

var E_RecTags = &proto.ExtensionDesc{
	ExtendedType:  (*record)(nil),
	ExtensionType: ([]string)(nil),
	Field:         102,
	Name:          "legacy.tags",
	Tag:           "bytes,102,rep,name=tags",
}

var E_RecNote = &proto.ExtensionDesc{
	ExtendedType:  (*record)(nil),
	ExtensionType: (*record)(nil),
	Field:         103,
	Name:          "legacy.note",
	Tag:           "bytes,103,opt,name=note",
}

func apply(r *record, prio int32, tags []string) error {
	if err := proto.SetExtension(r, E_RecPriority, proto.Int32(prio)); err != nil {
		return fmt.Errorf("setting priority: %v", err)
	}
	if len(tags) > 0 {
		// Repeated extensions take the slice itself.
		if err := proto.SetExtension(r, E_RecTags, tags); err != nil {
			return fmt.Errorf("setting tags: %v", err)
		}
	}
	return nil
}

// recPriority has the two successive tests of err.
func recPriority(r *record, def int32) (int32, error) {
	v, err := proto.GetExtension(r, E_RecPriority)
	if err == proto.ErrMissingExtension {
		return def, nil
	}
	// Anything else is a broken descriptor.
	if err != nil {
		return 0, fmt.Errorf("reading priority: %v", err)
	}
	return *v.(*int32), nil
}

// recSource tests err after a HasExtension guard, and asserts a pointer
// with comma-ok.
func recSource(r *record) (string, bool) {
	if !proto.HasExtension(r, E_RecSource) {
		return "", false
	}
	v, err := proto.GetExtension(r, E_RecSource)
	if err != nil {
		return "", false
	}
	s, ok := v.(*string)
	if !ok || s == nil {
		return "", false
	}
	return *s, true
}

func recTags(r *record) []string {
	v, err := proto.GetExtension(r, E_RecTags)
	if err != nil {
		return nil // no tags yet
	}
	return v.([]string)
}

// recNote tests err in a switch.
func recNote(r *record) (*record, error) {
	v, err := proto.GetExtension(r, E_RecNote)
	switch {
	case err == proto.ErrMissingExtension:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading note: %v", err)
	}
	return v.(*record), nil
}

func strip(r *record) bool {
	proto.ClearExtension(r, E_RecNote)
	return proto.HasExtension(r, E_RecTags)
}

// rejects expects an error for a value of the wrong type; APIv2 panics.
func rejects(r *record) {
	if err := proto.SetExtension(r, E_RecPriority, "high"); err == nil {
		fmt.Println("SetExtension accepted a string for an int32 extension")
	}
}

func setResult(r *record) (bool, error) {
	return true, proto.SetExtension(r, E_RecSource, proto.String("x"))
}

// sourceSet only tests the asserted pointer against nil.
func sourceSet(r *record) bool {
	if !proto.HasExtension(r, E_RecSource) {
		return false
	}
	v, _ := proto.GetExtension(r, E_RecSource)
	s, ok := v.(*string)
	return ok && s != nil
}

func isSetSwitch(r *record) string {
	_, err := proto.GetExtension(r, E_RecPriority)
	switch {
	case errors.Is(err, proto.ErrMissingExtension):
		return "unset"
	case err != nil:
		return "broken"
	default:
		fmt.Println("set")
	}
	return "set"
}

func sourceInit(r *record) string {
	v, err := proto.GetExtension(r, E_RecSource)
	if err != nil {
		return ""
	}
	if s, ok := v.(*string); ok && s != nil {
		return "source: " + *s
	}
	single := v.(*string)
	return *single /* deref */
}

func prioInit(r *record) int32 {
	if v, err := proto.GetExtension(r, E_RecPriority); err == nil {
		if p, ok := v.(*int32); ok {
			return *p + 1
		}
	}
	return 0
}

func tagsInElse(r *record) int {
	if v, err := proto.GetExtension(r, E_RecTags); err != nil {
		return 0
	} else if tags, ok := v.([]string); ok {
		return len(tags)
	}
	return -1
}

// bareTags is legacyapp's test of a missing extension: err is printed
// where it is nil.
func bareTags(r *record) {
	if _, err := proto.GetExtension(r, E_RecTags); err != proto.ErrMissingExtension {
		fmt.Printf("GetExtension(tags) on a bare record: %v, want ErrMissingExtension\n", err)
	}
	v, err := proto.GetExtension(r, E_RecTags)
	if err == nil {
		fmt.Println(v.([]string), err)
	}
}
