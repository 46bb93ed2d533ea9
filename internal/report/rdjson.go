package report

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/udiff"
)

// The rdjsonl format is reviewdog's Diagnostic, one JSON object a line:
// PR bots (reviewdog -f=rdjsonl) post each as a review comment, and the
// ones with suggestions as GitHub/GitLab "suggested changes" a reviewer
// can apply with one click.
type rdPosition struct {
	Line   int `json:"line"`
	Column int `json:"column,omitempty"`
}

type rdRange struct {
	Start rdPosition  `json:"start"`
	End   *rdPosition `json:"end,omitempty"`
}

type rdLocation struct {
	Path  string  `json:"path"`
	Range rdRange `json:"range"`
}

type rdSuggestion struct {
	Range rdRange `json:"range"`
	Text  string  `json:"text"`
}

type rdDiagnostic struct {
	Message     string         `json:"message"`
	Location    rdLocation     `json:"location"`
	Severity    string         `json:"severity"`
	Source      map[string]any `json:"source"`
	Code        map[string]any `json:"code,omitempty"`
	Suggestions []rdSuggestion `json:"suggestions,omitempty"`
}

var rdSeverity = map[change.Risk]string{change.Safe: "INFO", change.Review: "WARNING", change.Manual: "ERROR"}

// RDJSONL prints every changed run of lines as a diagnostic carrying the
// replacement as a suggestion (its message names the rules whose edits
// fall in the run), then every diagnostic. Created and deleted files
// cannot be suggested line by line and are reported as one finding.
func RDJSONL(w io.Writer, base string, set *change.Set) error {
	enc := json.NewEncoder(w)
	source := map[string]any{"name": "protolift"}
	for _, f := range set.Files {
		path := Rel(base, f.Path)
		if f.Created || f.Deleted {
			what := "protolift creates this file"
			if f.Deleted {
				what = "protolift deletes this file"
			}
			if err := enc.Encode(rdDiagnostic{Message: what + " (" + rulesIn(f, 0, 1<<31) + ")", Location: rdLocation{Path: path, Range: rdRange{Start: rdPosition{Line: 1}}},
				Severity: "WARNING", Source: source}); err != nil {
				return err
			}
			continue
		}
		for _, r := range udiff.Replacements(f.Old, f.New) {
			start := rdPosition{Line: r.OldStart, Column: 1}
			end := rdPosition{Line: r.OldEnd, Column: 1}
			d := rdDiagnostic{
				Message:  rulesIn(f, r.OldStart, r.OldEnd),
				Location: rdLocation{Path: path, Range: rdRange{Start: start, End: &end}},
				Severity: "WARNING",
				Source:   source,
				Suggestions: []rdSuggestion{{
					Range: rdRange{Start: start, End: &end},
					Text:  r.Text,
				}},
			}
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
	}
	for _, d := range set.Diags {
		msg := d.Message
		if d.Suggestion != "" {
			msg += "\n\nsuggestion:\n" + d.Suggestion
		}
		out := rdDiagnostic{
			Message:  msg,
			Location: rdLocation{Path: Rel(base, d.Path), Range: rdRange{Start: rdPosition{Line: d.Start.Line, Column: d.Start.Col}}},
			Severity: rdSeverity[d.Risk],
			Source:   source,
			Code:     map[string]any{"value": d.Rule},
		}
		if d.End.Line > 0 {
			end := rdPosition{Line: d.End.Line, Column: d.End.Col}
			out.Location.Range.End = &end
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return nil
}

// rulesIn describes the edits of f that touch old lines [from, to) (a
// pure insertion has from == to and matches edits on the line before
// or at it); edits without a position describe the whole file.
func rulesIn(f *change.File, from, to int) string {
	seen := map[string]bool{}
	var msgs []string
	for _, e := range f.Edits {
		in := e.Start.Line == 0 || (e.Start.Line <= max(to-1, from) && max(e.End.Line, e.Start.Line) >= from-1)
		if !in {
			continue
		}
		m := e.Rule + ": " + e.Message
		if !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return "protolift: follow-on change of the migration (imports, layout)"
	}
	sort.Strings(msgs)
	return strings.Join(msgs, "\n")
}
