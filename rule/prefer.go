package rule

import (
	"slices"
	"strings"
)

// PinnedOption is the rule option (Pass.Option) listing, comma-separated,
// the modules whose version raise the pipeline withdrew in this run (the
// raise broke the build): they stay at the version the module requires.
const PinnedOption = "pinned-modules"

// PreferSink is the optional part of a Sink that records requirements a
// rule can do without (see Pass.Prefer).
type PreferSink interface {
	// Prefer records that the rewritten file is better with module path
	// at version or later, and that the rule has a form for an older one.
	Prefer(path, version string)
}

// Pinned reports whether the raise of module path was withdrawn in this
// run: code the rule writes must build against the version the module
// already requires.
func (p *Pass) Pinned(path string) bool {
	pinned := p.Option(PinnedOption)
	return path != "" && pinned != "" && slices.Contains(strings.Split(pinned, ","), path)
}

// Prefer asks for module path at version, for a rewrite that is better
// with it (a dependency's types that are APIv2 from that release on, so
// its values need no adapter) but has a form that builds without it. It
// returns false, recording nothing, when the raise of path was withdrawn
// in this run (Pinned): the rule must then write that other form. When
// it returns true the requirement counts like one of Require, except
// that withdrawing the raise reruns the rule (which then gets false)
// instead of withdrawing the rewrite.
func (p *Pass) Prefer(path, version string) bool {
	if p.Pinned(path) {
		return false
	}
	if ps, ok := p.Sink.(PreferSink); ok {
		ps.Prefer(path, version)
		return true
	}
	p.Require(path, version)
	return true
}
