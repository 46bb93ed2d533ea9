package rewrite

import (
	"regexp"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/rule"
)

// TestAllRepairableTooManyErrors: the compiler's copy of a package's
// errors ("# pkg" list error) stops after ten with "too many errors"; the
// type errors list them all, so the note must not make a package whose
// every error is repairable unrepairable (eleven unkeyed message literals
// against regenerated code did).
func TestAllRepairableTooManyErrors(t *testing.T) {
	pats := []*regexp.Regexp{regexp.MustCompile(`too few values in struct literal of type `)}
	errs := []packages.Error{
		{Kind: packages.TypeError, Pos: "a.go:1:1", Msg: "too few values in struct literal of type pb.M"},
		{Kind: packages.ListError, Pos: "-", Msg: "# example.com/p\na.go:1:1: too few values in struct literal of type pb.M\na.go:2:1: too many errors"},
	}
	if !allRepairable(errs, pats) {
		t.Error("allRepairable = false with only repairable errors and the compiler's too-many-errors note")
	}
	errs = append(errs, packages.Error{Kind: packages.TypeError, Pos: "a.go:3:1", Msg: "undefined: x"})
	if allRepairable(errs, pats) {
		t.Error("allRepairable = true with an unrepairable type error")
	}
}

// TestRepairableTooManyErrors: after regeneration the build gate reads
// the compiler's errors, which stop after ten with "too many errors"; with
// repairing rules enabled that note is no reason to withdraw the
// regeneration (the final gate checks what the rules leave).
func TestRepairableTooManyErrors(t *testing.T) {
	if !Repairable([]*rule.Rule{{Name: "x", Repairs: []string{`too few values`}}})("too many errors") {
		t.Error(`Repairable(...)("too many errors") = false with a repairing rule`)
	}
	if Repairable(nil)("too many errors") {
		t.Error(`Repairable(nil)("too many errors") = true without repairing rules`)
	}
}
