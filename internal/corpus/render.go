package main

import (
	"fmt"
	"io"
	"strings"
)

// Markdown writes the table, one row per module, then the details of every
// module that regressed, failed or whose baseline is broken.
func Markdown(w io.Writer, results []*Result) {
	fmt.Fprintln(w, "| module | exit | wall | peak RSS | files changed | hunks in hand-written Go (untouched-line churn / duplicate helpers) | diagnostics by rule | build | new vet | test regressions | hand-written files on golang/protobuf (after / before) | go.mod requires golang/protobuf | idempotent |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	var ok, regressed, broken, failed, raiseOnly, rewrite int
	controls := false
	for _, r := range results {
		switch {
		case r.Broken != "":
			broken++
			fmt.Fprintf(w, "| %s | — | — | — | — | — | — | baseline broken | — | — | — | — | — |\n", r.Name)
			continue
		case r.Error != "" && r.Run == nil:
			failed++
			fmt.Fprintf(w, "| %s | — | — | — | — | — | — | harness error | — | — | — | — | — |\n", r.Name)
			continue
		case r.Regressed():
			regressed++
		default:
			ok++
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Name, exitCell(r), wallCell(r.Run.WallSeconds), rssCell(r.Run.MaxRSSKB), filesCell(r.Run),
			churnCell(r.Run), rulesCell(r.Run), buildCell(r), vetCell(r), testCell(r), v1Cell(r), yesNo(r.GoModV1After), idemCell(r))
		if r.Control != nil {
			controls = true
			if r.RaiseOnly() {
				raiseOnly++
			}
			if r.RewriteCaused() {
				rewrite++
			}
		}
	}
	// The split of the regressed modules by the raise-only control is
	// printed only when some module had one, so that a table of results
	// from before it reads as it did.
	split := ""
	if controls {
		split = fmt.Sprintf(" (%d only by tests the protobuf raise alone fails, %d by tests protolift's rewrites fail)", raiseOnly, rewrite)
	}
	fmt.Fprintf(w, "\n%d modules: %d without regression, %d regressed%s, %d baseline broken, %d harness errors.\n", len(results), ok, regressed, split, broken, failed)

	var detail strings.Builder
	for _, r := range results {
		writeDetails(&detail, r)
	}
	if detail.Len() > 0 {
		fmt.Fprintf(w, "\n## Details\n%s", detail.String())
	}
}

// churnCell shows the hunks a reviewer reads in hand-written Go files and,
// in parentheses, those no rule asked for and the helper bodies added
// twice to one package (both must be 0).
func churnCell(p *Run) string {
	c := p.Churn
	if c == nil {
		return "—"
	}
	bad := func(n int) string {
		if n > 0 {
			return fmt.Sprintf("**%d**", n)
		}
		return "0"
	}
	return fmt.Sprintf("%d (%s / %s)", c.Hunks, bad(c.ChurnHunks), bad(len(c.DupHelpers)))
}

func exitCell(r *Result) string {
	if r.Run.TimedOut {
		return "**timeout**"
	}
	if r.Run.Exit < 0 || r.Run.Exit > 1 {
		return fmt.Sprintf("**%d**", r.Run.Exit)
	}
	return fmt.Sprint(r.Run.Exit)
}

func wallCell(s float64) string {
	if s < 60 {
		return fmt.Sprintf("%.1fs", s)
	}
	return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
}

func rssCell(kb int64) string { return fmt.Sprintf("%d MB", (kb+512)/1024) }

func filesCell(p *Run) string {
	return fmt.Sprintf("%d (+%d −%d)", p.FilesChanged, p.LinesAdded, p.LinesDeleted)
}

// rulesCell is the total, then the three most frequent rules.
func rulesCell(p *Run) string {
	if p.Diagnostics == 0 {
		return "0"
	}
	top := TopRules(p.ByRule)
	var parts []string
	for i, rc := range top {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("+%d rules", len(top)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", rc.Rule, rc.Count))
	}
	return fmt.Sprintf("%d: %s", p.Diagnostics, strings.Join(parts, ", "))
}

func buildCell(r *Result) string {
	if r.Regress != nil && r.Regress.BuildBad {
		return fmt.Sprintf("**broken (%d)**", len(r.Regress.Build))
	}
	return "ok"
}

func vetCell(r *Result) string {
	if r.Regress == nil || len(r.Regress.Vet) == 0 {
		return "0"
	}
	return fmt.Sprintf("**%d**", len(r.Regress.Vet))
}

func testCell(r *Result) string {
	passed := CountStatus(r.Baseline.State.Tests, StatusPass)
	s := fmt.Sprintf("0 of %d", passed)
	if r.Regress != nil && len(r.Regress.Tests) > 0 {
		s = fmt.Sprintf("**%d** of %d", len(r.Regress.Tests), passed)
	}
	if r.Regress != nil && len(r.Regress.Cases) > 0 {
		s += fmt.Sprintf(" + **%d** tests", len(r.Regress.Cases))
	}
	var notes []string
	if r.Regress != nil && len(r.Regress.Flaky) > 0 {
		notes = append(notes, fmt.Sprintf("%d flaky", len(r.Regress.Flaky)))
	}
	if c := r.Control; c != nil {
		notes = append(notes, controlNote(c))
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, "; ") + ")"
	}
	return s
}

// controlNote is the raise-only control's verdict in the test column:
// "raise: 1 pkg, 6 tests", "raise: 2 tests; rewrite: 1 pkg", or
// "control n/a" (its reason is in the details).
func controlNote(c *Control) string {
	if c.NA != "" {
		return "control n/a"
	}
	var parts []string
	for _, n := range CountClasses(c) {
		var what []string
		if n.Pkgs > 0 {
			what = append(what, plural(n.Pkgs, "pkg"))
		}
		if n.Tests > 0 {
			what = append(what, plural(n.Tests, "test"))
		}
		parts = append(parts, n.Class+": "+strings.Join(what, ", "))
	}
	return strings.Join(parts, "; ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func v1Cell(r *Result) string { return fmt.Sprintf("%d / %d", len(r.V1After), len(r.V1Before)) }

func idemCell(r *Result) string {
	if r.Relist == nil {
		return "—"
	}
	if r.Relist.Idempotent && len(r.Relist.Late) > 0 {
		return fmt.Sprintf("yes; **%d late findings**", len(r.Relist.Late))
	}
	if r.Relist.Idempotent {
		return "yes"
	}
	if len(r.Relist.Files) > 0 {
		return fmt.Sprintf("**no (%d files)**", len(r.Relist.Files))
	}
	return fmt.Sprintf("**no (exit %d)**", r.Relist.Exit)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writeDetails(w *strings.Builder, r *Result) {
	churn := r.Run != nil && r.Run.Churn != nil && (r.Run.Churn.ChurnHunks > 0 || len(r.Run.Churn.DupHelpers) > 0)
	if r.Broken == "" && r.Error == "" && !r.Regressed() && !churn {
		return
	}
	fmt.Fprintf(w, "\n### %s\n\n", r.Name)
	if churn {
		c := r.Run.Churn
		if c.ChurnHunks > 0 {
			fmt.Fprintf(w, "Untouched-line churn: %d hunks (%d lines) no rule edit covers: %s\n", c.ChurnHunks, c.ChurnLines, strings.Join(firstN(c.ChurnSites, 10), ", "))
		}
		if len(c.DupHelpers) > 0 {
			fmt.Fprintf(w, "Helper bodies added more than once to a package: %s\n", strings.Join(firstN(c.DupHelpers, 5), "; "))
		}
	}
	if r.Broken != "" {
		fmt.Fprintf(w, "Baseline broken (not counted): %s\n", oneLine(r.Broken))
		return
	}
	if r.Error != "" {
		fmt.Fprintf(w, "Harness error: %s\n", oneLine(r.Error))
	}
	if r.Run != nil && (r.Run.TimedOut || r.Run.Exit < 0 || r.Run.Exit > 1) {
		fmt.Fprintf(w, "protolift -w exited %d; its stderr ends:\n\n%s\n", r.Run.Exit, codeBlock(tailLines(r.Run.StderrTail, 10)))
	}
	if g := r.Regress; g != nil {
		if g.BuildBad {
			fmt.Fprintf(w, "Build (%d error lines):\n\n%s\n", len(g.Build), codeBlock(headLines(strings.Join(g.Build, "\n"), 15)))
		}
		if len(g.Vet) > 0 {
			fmt.Fprintf(w, "New vet diagnostics (%d):\n\n%s\n", len(g.Vet), codeBlock(headLines(strings.Join(g.Vet, "\n"), 15)))
		}
		if len(g.Tests) > 0 {
			fmt.Fprintf(w, "Test packages that passed before and fail now: %s\n", strings.Join(g.Tests, ", "))
			if r.After != nil {
				shown := 0
				for _, pkg := range g.Tests {
					out := r.After.TestFailOut[pkg]
					if out == "" || shown == 3 {
						continue
					}
					shown++
					fmt.Fprintf(w, "\n%s:\n\n%s\n", pkg, codeBlock(tailLines(out, 12)))
				}
				if r.After.TestError != "" && CountStatus(r.After.Tests, StatusPass) == 0 {
					fmt.Fprintf(w, "\ngo test printed no results:\n\n%s\n", codeBlock(r.After.TestError))
				}
			}
		}
	}
	if g := r.Regress; g != nil && len(g.Cases) > 0 {
		fmt.Fprintf(w, "Tests that passed before (in packages that failed before) and fail now: %s\n", strings.Join(firstN(g.Cases, 20), ", "))
	}
	if c := r.Control; c != nil {
		writeControl(w, c)
	}
	if r.Relist != nil && len(r.Relist.Late) > 0 {
		fmt.Fprintf(w, "Findings only the second run made (file: rule: message):\n\n%s\n", codeBlock(strings.Join(firstN(r.Relist.Late, 20), "\n")))
	}
	if r.Relist != nil && !r.Relist.Idempotent {
		if len(r.Relist.Files) > 0 {
			fmt.Fprintf(w, "Second run (protolift -l, exit %d) still lists %d files: %s\n", r.Relist.Exit, len(r.Relist.Files), strings.Join(firstN(r.Relist.Files, 10), ", "))
		} else {
			fmt.Fprintf(w, "Second run (protolift -l) exited %d; its stderr ends:\n\n%s\n", r.Relist.Exit, codeBlock(tailLines(r.Relist.StderrTail, 8)))
		}
	}
}

// writeControl says how the raise-only control was made and which
// regressions fall in which class.
func writeControl(w *strings.Builder, c *Control) {
	switch {
	case len(c.Raised) == 0 && c.NA == "":
		fmt.Fprintf(w, "Raise-only control: the run raised no protobuf module, so the control is the baseline, where these passed: all are the rewrites'.\n")
		return
	case c.NA != "":
		fmt.Fprintf(w, "Raise-only control n/a (baseline + go get %s): %s\n", strings.Join(c.Raised, " "), oneLine(c.NA))
		return
	}
	fmt.Fprintf(w, "Raise-only control (baseline + go get %s, no rewrite):\n\n", strings.Join(c.Raised, " "))
	for _, k := range []struct{ class, what string }{
		{ClassRaise, "fail there too (the raise)"},
		{ClassRewrite, "pass there (the rewrites)"},
		{ClassNA, "not tested there (test binary does not build, or no result)"},
	} {
		if keys := ClassKeys(c, k.class); len(keys) > 0 {
			fmt.Fprintf(w, "- %s: %s\n", k.what, strings.Join(firstN(keys, 20), ", "))
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func codeBlock(s string) string {
	return "```\n" + strings.TrimRight(s, "\n") + "\n```\n"
}
