package pipeline

import (
	"os"
	"slices"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rules/protov1"
	"github.com/protolift/protolift/stage/gomod"
)

// keepRaiseSites keeps the protov1.raise.behaviour findings whose raise
// the run's final go.mod makes (the Go stage reports every site before
// the mod stage decides versions): without the raise, or after the gate
// withdrew it, the sites behave as before and nothing is announced.
func (p *pipeline) keepRaiseSites() {
	var newMod []byte
	if f := p.set.Lookup(p.gomodPath()); f != nil && !f.Deleted {
		newMod = f.New
	}
	oldMod, err := os.ReadFile(p.gomodPath())
	if err != nil {
		newMod = nil
	}
	holds := map[[2]string]bool{}
	p.set.Diags = slices.DeleteFunc(p.set.Diags, func(d change.Diagnostic) bool {
		if d.Rule != protov1.RaiseSitesRule {
			return false
		}
		module, since, ok := protov1.RaiseSiteCondition(d)
		if !ok {
			return true
		}
		k := [2]string{module, since}
		if _, done := holds[k]; !done {
			holds[k] = gomod.RaisedAcross(oldMod, newMod, module, since)
		}
		return !holds[k]
	})
}
