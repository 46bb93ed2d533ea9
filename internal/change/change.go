// Package change holds the plain data that every protolift stage produces:
// the new content of each file it would change, with the rules that changed
// it, and the diagnostics that need a person. Stages never print or write;
// printers and the writer consume these values, so a new output format
// (SARIF, rdjsonl, PR suggestions) is only a new printer.
package change

import (
	"fmt"
	"sort"

	"golang.org/x/mod/semver"
)

// Risk says how much review a change or diagnostic needs.
type Risk int

const (
	// Safe changes keep behaviour exactly.
	Safe Risk = iota
	// Review changes keep behaviour in all cases we know of but touch
	// something a reviewer should look at (error texts, output formatting).
	Review
	// Manual marks findings protolift will not rewrite: a person must act.
	Manual
)

var riskNames = [...]string{"safe", "review", "manual"}

func (r Risk) String() string {
	if r < 0 || int(r) >= len(riskNames) {
		return fmt.Sprintf("risk(%d)", int(r))
	}
	return riskNames[r]
}

// MarshalText makes risks print as words in JSON.
func (r Risk) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses the words MarshalText prints.
func (r *Risk) UnmarshalText(b []byte) error {
	for i, n := range riskNames {
		if n == string(b) {
			*r = Risk(i)
			return nil
		}
	}
	return fmt.Errorf("unknown risk %q (want safe, review or manual)", b)
}

// Position is a place in a file. Line and Col are 1-based (Col counts
// bytes, as go/token does); Offset is the 0-based byte offset.
type Position struct {
	Line   int `json:"line"`
	Col    int `json:"col"`
	Offset int `json:"offset"`
}

// Edit records that a rule changed a range of the original file.
// Start and End refer to the file's old content.
type Edit struct {
	Rule    string   `json:"rule"`
	Risk    Risk     `json:"risk"`
	Message string   `json:"message"`
	Start   Position `json:"start"`
	End     Position `json:"end"`
}

// File is the complete new content of one file, plus the edits that
// explain it. Old is the content the stage read; a writer must refuse to
// write if the file on disk no longer has that content.
type File struct {
	Path  string `json:"file"` // absolute, clean
	Old   []byte `json:"-"`
	New   []byte `json:"-"`
	Edits []Edit `json:"changes"`
	// Created is true for a file that did not exist before (Old is nil).
	Created bool `json:"created,omitempty"`
	// Deleted is true for a file the stage removes (New is nil).
	Deleted bool `json:"deleted,omitempty"`
	// Stage names the stage that produced the change (proto, gen, go,
	// mod), so verification can withdraw it the way that stage needs.
	Stage string `json:"-"`
	// Requires maps module paths to the minimum versions the new content
	// needs; go.mod is computed from the requirements of the files that
	// stay in the set, so withdrawing a file withdraws what it needed.
	Requires map[string]string `json:"-"`
	// RuleRequires breaks Requires down by the rule that asked for it,
	// so a version raise that breaks the build can be withdrawn together
	// with exactly the rewrites that needed it.
	RuleRequires map[string]map[string]string `json:"-"`
	// RuleFallbacks names, per rule, the modules of RuleRequires that
	// rule asked for with rule.Pass.Prefer and can do without: when such
	// a raise is withdrawn the rule runs again (writing its other form)
	// instead of being withdrawn.
	RuleFallbacks map[string][]string `json:"-"`
}

// Diagnostic is a finding that needs a person, or information about what a
// stage did not do (a generated file it will not edit, a file excluded by
// build constraints).
type Diagnostic struct {
	Path       string   `json:"file"`
	Start      Position `json:"start"`
	End        Position `json:"end"`
	Rule       string   `json:"rule"`
	Risk       Risk     `json:"risk"`
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion,omitempty"`
}

// String formats the diagnostic the way go vet does, without the path
// prefix policy: callers pass the path they want shown.
func (d Diagnostic) Format(path string) string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", path, d.Start.Line, d.Start.Col, d.Rule, d.Message)
}

// Set is the result of one or more stages: changed files and diagnostics.
type Set struct {
	Files []*File      `json:"files"`
	Diags []Diagnostic `json:"diagnostics"`
}

// Put adds or replaces the change for f.Path. A later stage's content for
// the same file replaces an earlier one; the edits of both are kept, and
// the original Old is kept so diffs show the whole migration.
func (s *Set) Put(f *File) {
	for i, g := range s.Files {
		if g.Path == f.Path {
			merged := *f
			merged.Old = g.Old
			merged.Created = g.Created
			merged.Edits = append(append([]Edit(nil), g.Edits...), f.Edits...)
			merged.Requires = MaxRequires(g.Requires, f.Requires)
			if merged.Stage == "" {
				merged.Stage = g.Stage
			}
			s.Files[i] = &merged
			return
		}
	}
	s.Files = append(s.Files, f)
}

// MaxRequires merges requirement maps, keeping the higher version of a
// module both name; nil when both are empty.
func MaxRequires(a, b map[string]string) map[string]string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make(map[string]string, len(a)+len(b))
	AddRequires(out, a)
	AddRequires(out, b)
	return out
}

// AddRequires raises dst's requirements to src's where src names a
// higher version (or a module dst lacks). Every stage and the pipeline
// merge requirements this one way.
func AddRequires(dst, src map[string]string) {
	for p, v := range src {
		Require(dst, p, v)
	}
}

// Require records that module path is needed at version v or later.
func Require(dst map[string]string, path, v string) {
	if cur, ok := dst[path]; !ok || semver.Compare(v, cur) > 0 {
		dst[path] = v
	}
}

// Remove drops the change for path, returning it (nil if there was none).
func (s *Set) Remove(path string) *File {
	for i, g := range s.Files {
		if g.Path == path {
			s.Files = append(s.Files[:i], s.Files[i+1:]...)
			return g
		}
	}
	return nil
}

// Lookup returns the change for path, or nil.
func (s *Set) Lookup(path string) *File {
	for _, g := range s.Files {
		if g.Path == path {
			return g
		}
	}
	return nil
}

// Report adds diagnostics.
func (s *Set) Report(d ...Diagnostic) { s.Diags = append(s.Diags, d...) }

// Merge adds everything from o (files through Put).
func (s *Set) Merge(o *Set) {
	if o == nil {
		return
	}
	for _, f := range o.Files {
		s.Put(f)
	}
	s.Diags = append(s.Diags, o.Diags...)
}

// Sort orders files by path and diagnostics by position, dropping exact
// duplicate diagnostics (test variants of a package see a file twice).
func (s *Set) Sort() {
	sort.Slice(s.Files, func(i, j int) bool { return s.Files[i].Path < s.Files[j].Path })
	sort.SliceStable(s.Diags, func(i, j int) bool {
		a, b := s.Diags[i], s.Diags[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Start.Offset != b.Start.Offset {
			return a.Start.Offset < b.Start.Offset
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	out := s.Diags[:0]
	for i, d := range s.Diags {
		if i > 0 && d == s.Diags[i-1] {
			continue
		}
		out = append(out, d)
	}
	s.Diags = out
}

// NeedsPerson reports whether any diagnostic of risk Manual remains.
func (s *Set) NeedsPerson() bool {
	for _, d := range s.Diags {
		if d.Risk == Manual {
			return true
		}
	}
	return false
}

// PositionAt converts a byte offset in content to a Position.
func PositionAt(content []byte, offset int) Position {
	if offset > len(content) {
		offset = len(content)
	}
	line, col := 1, 1
	for i := 0; i < offset; i++ {
		if content[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return Position{Line: line, Col: col, Offset: offset}
}
