package protoplugin

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/pipeline"
)

// Migration is a preview of what protolift would change in the module:
// the result of internal/pipeline, the run the CLI makes (stage order,
// verification gate, withdrawals), with nothing written.
type Migration struct {
	// Stage is "go" or "all" (the migrate= parameter).
	Stage string `json:"stage"`
	// Files are the files the run would change, relative to the module
	// root, with the rules or stages that change each.
	Files []MigrationFile `json:"files"`
	// Findings are the run's findings (paths relative to the module).
	Findings []change.Diagnostic `json:"findings"`
}

// MigrationFile is one file the run would change.
type MigrationFile struct {
	Path  string   `json:"path"`
	Rules []string `json:"rules"`
}

// preview runs the pipeline on the module around p.ModuleDir without
// writing anything.
func preview(ctx context.Context, p Params) (*Migration, error) {
	stage := ""
	if p.Migrate == "go" {
		stage = "go"
	}
	o := pipeline.Default()
	o.Dir, o.Stage, o.Patterns, o.Stderr = p.ModuleDir, stage, []string{"./..."}, io.Discard
	res, err := pipeline.Run(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("protolift on %s: %w", p.ModuleDir, err)
	}
	rel := func(path string) string {
		if r, err := filepath.Rel(res.ModuleDir, path); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return path
	}
	m := &Migration{Stage: p.Migrate, Files: []MigrationFile{}, Findings: []change.Diagnostic{}}
	for _, f := range res.Set.Files {
		mf := MigrationFile{Path: rel(f.Path)}
		for _, e := range f.Edits {
			if !slices.Contains(mf.Rules, e.Rule) {
				mf.Rules = append(mf.Rules, e.Rule)
			}
		}
		slices.Sort(mf.Rules)
		m.Files = append(m.Files, mf)
	}
	for _, d := range res.Set.Diags {
		d.Path = rel(d.Path)
		m.Findings = append(m.Findings, d)
	}
	return m, nil
}

// Markdown writes the preview for people: the files and the findings a
// person must act on, with the count of the others by rule.
func (m *Migration) Markdown(w io.Writer) {
	cmd := "protolift -d ./..."
	if m.Stage == "go" {
		cmd = "protolift go -d ./..."
	}
	fmt.Fprintf(w, "## Migration preview (`%s` in module_dir; nothing written)\n\n", cmd)
	if len(m.Files) == 0 {
		fmt.Fprintf(w, "No file would change.\n\n")
	} else {
		fmt.Fprintf(w, "| File | Changed by |\n|---|---|\n")
		for _, f := range m.Files {
			fmt.Fprintf(w, "| `%s` | %s |\n", f.Path, cell(strings.Join(f.Rules, ", ")))
		}
		fmt.Fprintln(w)
	}
	byRule := map[string]int{}
	var manual []change.Diagnostic
	for _, d := range m.Findings {
		if d.Risk == change.Manual {
			manual = append(manual, d)
		} else {
			byRule[d.Rule]++
		}
	}
	if len(manual) > 0 {
		fmt.Fprintf(w, "Left for a person:\n\n| Where | Rule | Finding |\n|---|---|---|\n")
		for _, d := range manual {
			fmt.Fprintf(w, "| `%s:%d:%d` | %s | %s |\n", d.Path, d.Start.Line, d.Start.Col, d.Rule, cell(d.Message))
		}
		fmt.Fprintln(w)
	}
	if len(byRule) > 0 {
		rules := make([]string, 0, len(byRule))
		for r := range byRule {
			rules = append(rules, r)
		}
		slices.Sort(rules)
		var parts []string
		for _, r := range rules {
			parts = append(parts, fmt.Sprintf("%s %d", r, byRule[r]))
		}
		fmt.Fprintf(w, "Other findings (review): %s.\n\n", strings.Join(parts, ", "))
	}
}
