package rule

import (
	"testing"

	"github.com/protolift/protolift/internal/change"
)

type preferSink struct{ required, preferred map[string]string }

func (s *preferSink) Edit(change.Edit)             {}
func (s *preferSink) Diagnose(change.Diagnostic)   {}
func (s *preferSink) Alias(string, string)         {}
func (s *preferSink) Require(path, version string) { s.required[path] = version }
func (s *preferSink) Prefer(path, version string)  { s.preferred[path] = version }

// Prefer records a raise the rule can do without, unless the pipeline
// withdrew that raise (PinnedOption), when it records nothing and says
// the rule must write its other form.
func TestPrefer(t *testing.T) {
	s := &preferSink{required: map[string]string{}, preferred: map[string]string{}}
	p := &Pass{Sink: s, Options: map[string]string{PinnedOption: "example.com/a,example.com/b"}}
	if p.Prefer("example.com/b", "v1.2.0") {
		t.Error("Prefer of a pinned module said true")
	}
	if !p.Prefer("example.com/c", "v1.3.0") {
		t.Error("Prefer of a module not pinned said false")
	}
	if len(s.required) != 0 || len(s.preferred) != 1 || s.preferred["example.com/c"] != "v1.3.0" {
		t.Errorf("recorded required %v, preferred %v; want only example.com/c v1.3.0 preferred", s.required, s.preferred)
	}
	if (&Pass{}).Pinned("") || !p.Pinned("example.com/a") || p.Pinned("example.com") {
		t.Error("Pinned reads the option wrong")
	}
}
