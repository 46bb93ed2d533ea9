// Package legacy serves records from the old inventory system and manages
// the extensions other teams hang on them.
package legacy

import (
	"fmt"

	"github.com/golang/protobuf/proto"

	legacypb "example.com/legacyapp/proto/legacy/v1"
)

// Label is what the routing team attaches to a record.
type Label struct {
	System   string
	Priority int32
	Tags     []string
	// Note is optional; nil leaves any existing annotation alone.
	Note *legacypb.Annotation
}

// Apply sets the label's extensions on r.
func (l Label) Apply(r *legacypb.Record) error {
	if err := proto.SetExtension(r, legacypb.E_Priority, proto.Int32(l.Priority)); err != nil {
		return fmt.Errorf("legacy: record %s: setting priority: %v", r.GetId(), err)
	}
	if err := proto.SetExtension(r, legacypb.E_SourceSystem, proto.String(l.System)); err != nil {
		return fmt.Errorf("legacy: record %s: setting source_system: %v", r.GetId(), err)
	}
	if len(l.Tags) > 0 {
		// Repeated extensions take the slice itself, not a pointer.
		if err := proto.SetExtension(r, legacypb.E_Tags, l.Tags); err != nil {
			return fmt.Errorf("legacy: record %s: setting tags: %v", r.GetId(), err)
		}
	}
	if l.Note != nil {
		if err := proto.SetExtension(r, legacypb.E_Annotation, l.Note); err != nil {
			return fmt.Errorf("legacy: record %s: setting annotation: %v", r.GetId(), err)
		}
	}
	return nil
}

// Priority returns the record's priority, or def when nobody set one.
func Priority(r *legacypb.Record, def int32) (int32, error) {
	v, err := proto.GetExtension(r, legacypb.E_Priority)
	if err == proto.ErrMissingExtension {
		return def, nil
	}
	if err != nil {
		return 0, fmt.Errorf("legacy: record %s: reading priority: %v", r.GetId(), err)
	}
	return *v.(*int32), nil
}

// SourceSystem reports which system labelled the record, if any.
func SourceSystem(r *legacypb.Record) (string, bool) {
	if !proto.HasExtension(r, legacypb.E_SourceSystem) {
		return "", false
	}
	v, err := proto.GetExtension(r, legacypb.E_SourceSystem)
	if err != nil {
		return "", false
	}
	s, ok := v.(*string)
	if !ok || s == nil {
		return "", false
	}
	return *s, true
}

// Tags returns the record's tags; nil when it has none.
func Tags(r *legacypb.Record) []string {
	v, err := proto.GetExtension(r, legacypb.E_Tags)
	if err != nil {
		return nil // ErrMissingExtension: no tags yet
	}
	return v.([]string)
}

// Note returns the annotation, or nil when there is none.
func Note(r *legacypb.Record) (*legacypb.Annotation, error) {
	v, err := proto.GetExtension(r, legacypb.E_Annotation)
	switch {
	case err == proto.ErrMissingExtension:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("legacy: record %s: reading annotation: %v", r.GetId(), err)
	}
	return v.(*legacypb.Annotation), nil
}

// StripForBridge removes the extensions the mainframe bridge cannot store;
// priority and source_system survive because the bridge maps them to
// columns.
func StripForBridge(r *legacypb.Record) {
	proto.ClearExtension(r, legacypb.E_Annotation)
	proto.ClearExtension(r, legacypb.E_Tags)
}
