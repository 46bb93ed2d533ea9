package diffcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Fail-on policies for Fails.
const (
	FailOnBreaking = "breaking" // any breaking change
	FailOnUsed     = "used"     // a breaking change the module's code depends on
	FailOnNever    = "never"
)

// CheckFailOn validates a -fail-on value.
func CheckFailOn(failOn string) error {
	switch failOn {
	case FailOnBreaking, FailOnUsed, FailOnNever:
		return nil
	}
	return fmt.Errorf("diffcheck: -fail-on=%q: want breaking, used or never", failOn)
}

// Fails is the exit decision: whether the report fails under the policy.
// An unknown policy fails, so a typo cannot turn a gate off; validate
// with CheckFailOn first for a clear message.
func (r *Report) Fails(failOn string) bool {
	switch failOn {
	case FailOnNever:
		return false
	case FailOnBreaking:
		return r.Breaking() > 0
	case FailOnUsed:
		return r.UsedBreaking() > 0
	}
	return true
}

// Breaking counts breaking changes.
func (r *Report) Breaking() int {
	n := 0
	for _, c := range r.Changes {
		if c.Breaking {
			n++
		}
	}
	return n
}

// UsedBreaking counts breaking changes with at least one use that stops
// compiling.
func (r *Report) UsedBreaking() int {
	n := 0
	for _, c := range r.Changes {
		if c.Breaking && c.breaksUse() {
			n++
		}
	}
	return n
}

func (c Change) breaksUse() bool {
	for _, u := range c.Uses {
		if u.Breaks {
			return true
		}
	}
	return false
}

// status is the one-line verdict of a change.
func (r *Report) status(c Change) string {
	switch {
	case !c.Breaking:
		return "compatible"
	case !r.CrossReferenced:
		return "breaking"
	case c.breaksUse():
		return "breaking, used"
	case len(c.Uses) > 0:
		return "breaking, used (compiles)"
	default:
		return "breaking, unused here"
	}
}

func (r *Report) summary() string {
	s := fmt.Sprintf("%d changes: %d breaking, %d compatible", len(r.Changes), r.Breaking(), len(r.Changes)-r.Breaking())
	if r.CrossReferenced {
		s += fmt.Sprintf("; %d breaking changes used by this module", r.UsedBreaking())
	}
	return s
}

// Text writes the report for a terminal: breaking changes first.
func (r *Report) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "old: %s\nnew: %s\n", strings.Join(r.Old, ", "), strings.Join(r.New, ", "))
	for _, pkg := range r.Packages {
		fmt.Fprintf(&b, "\npackage %s\n", pkg)
		// A reason repeated for a run of changes (every XXX_ member) is
		// printed once, before the run.
		lastReason := ""
		for _, breaking := range []bool{true, false} {
			for _, c := range r.Changes {
				if c.Package != pkg || c.Breaking != breaking {
					continue
				}
				if c.Breaking && c.Reason != lastReason {
					fmt.Fprintf(&b, "  # %s\n", c.Reason)
					lastReason = c.Reason
				}
				fmt.Fprintf(&b, "  %-26s %s %s %s\n", r.status(c)+":", c.Op, c.Kind, c.Name)
				if c.Old != "" {
					fmt.Fprintf(&b, "      - %s\n", c.Old)
				}
				if c.New != "" {
					fmt.Fprintf(&b, "      + %s\n", c.New)
				}
				for _, u := range c.Uses {
					fmt.Fprintf(&b, "      %s at %s%s\n", useVerb(u), u.Pos, noteSuffix(u))
				}
			}
		}
	}
	fmt.Fprintf(&b, "\n%s\n", r.summary())
	if r.Diff != "" {
		b.WriteString("\n" + r.Diff)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func useVerb(u Use) string {
	if u.Breaks {
		return "used"
	}
	return "used, still compiles,"
}

func noteSuffix(u Use) string {
	if u.Note == "" {
		return ""
	}
	return " (" + u.Note + ")"
}

// JSON writes the report as indented JSON.
func (r *Report) JSON(w io.Writer) error {
	type out struct {
		*Report
		Summary struct {
			Breaking     int `json:"breaking"`
			Compatible   int `json:"compatible"`
			UsedBreaking int `json:"used_breaking"`
		} `json:"summary"`
	}
	o := out{Report: r}
	o.Summary.Breaking = r.Breaking()
	o.Summary.Compatible = len(r.Changes) - r.Breaking()
	o.Summary.UsedBreaking = r.UsedBreaking()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(o)
}

// Markdown writes the report for a pull request or a plugin's output
// directory.
func (r *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Generated code API diff\n\n")
	fmt.Fprintf(&b, "- old: %s\n- new: %s\n- %s\n", mdCode(r.Old), mdCode(r.New), r.summary())
	for _, pkg := range r.Packages {
		fmt.Fprintf(&b, "\n## `%s`\n\n", pkg)
		b.WriteString("| status | change | old | new | notes |\n|---|---|---|---|---|\n")
		for _, breaking := range []bool{true, false} {
			for _, c := range r.Changes {
				if c.Package != pkg || c.Breaking != breaking {
					continue
				}
				notes := ""
				if c.Breaking {
					notes = c.Reason
				}
				for _, u := range c.Uses {
					notes += "<br>" + useVerb(u) + " at `" + u.Pos + "`" + mdEscape(noteSuffix(u))
				}
				fmt.Fprintf(&b, "| %s | %s %s `%s` | %s | %s | %s |\n", r.status(c), c.Op, c.Kind, c.Name, mdCell(c.Old), mdCell(c.New), mdEscape(strings.TrimPrefix(notes, "<br>")))
			}
		}
	}
	if r.Diff != "" {
		b.WriteString("\n```diff\n" + r.Diff + "```\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCode(list []string) string {
	var parts []string
	for _, s := range list {
		parts = append(parts, "`"+s+"`")
	}
	return strings.Join(parts, ", ")
}

func mdCell(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Write writes the report in the named format: text, json or markdown
// (md). It is the -format flag of the CLI.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "", "text":
		return r.Text(w)
	case "json":
		return r.JSON(w)
	case "markdown", "md":
		return r.Markdown(w)
	}
	return fmt.Errorf("diffcheck: -format=%q: want text, json or markdown", format)
}
