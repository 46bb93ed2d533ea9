// Package report holds protolift's printers: unified diffs, file lists,
// JSON, and go vet style diagnostics. Printers are the only code that
// formats a change set for people or machines.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/udiff"
)

// Rel shows path relative to base when it is inside it.
func Rel(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !filepath.IsAbs(r) && (len(r) < 2 || r[:2] != "..") {
		return filepath.ToSlash(r)
	}
	return path
}

// Diff prints one unified diff per changed file, gofmt -d style.
func Diff(w io.Writer, base string, set *change.Set) error {
	for _, f := range set.Files {
		name := Rel(base, f.Path)
		oldName, newName := "a/"+name, "b/"+name
		if f.Created {
			oldName = "/dev/null"
		}
		if f.Deleted {
			newName = "/dev/null"
		}
		if _, err := w.Write(udiff.Unified(oldName, newName, f.Old, f.New)); err != nil {
			return err
		}
	}
	return nil
}

// List prints the names of the files that would change, one per line.
func List(w io.Writer, base string, set *change.Set) error {
	for _, f := range set.Files {
		if _, err := fmt.Fprintln(w, Rel(base, f.Path)); err != nil {
			return err
		}
	}
	return nil
}

// Diagnostics prints file:line:col: rule: message lines, with suggestions
// indented below.
func Diagnostics(w io.Writer, base string, diags []change.Diagnostic) {
	for _, d := range diags {
		fmt.Fprintln(w, d.Format(Rel(base, d.Path)))
		if d.Suggestion != "" {
			fmt.Fprintf(w, "\tsuggestion: %s\n", d.Suggestion)
		}
	}
}

// jsonFile is a changed file in the JSON output.
type jsonFile struct {
	File    string        `json:"file"`
	Created bool          `json:"created,omitempty"`
	Deleted bool          `json:"deleted,omitempty"`
	Changes []change.Edit `json:"changes"`
	Diff    string        `json:"diff"`
	// Requires is what the new content needs from go.mod.
	Requires map[string]string `json:"requires,omitempty"`
}

type jsonDiag struct {
	change.Diagnostic
	File string `json:"file"`
}

// JSONResult is the machine-readable result of a run.
type JSONResult struct {
	Root        string            `json:"root"`
	Files       []jsonFile        `json:"files"`
	Diagnostics []jsonDiag        `json:"diagnostics"`
	Requires    map[string]string `json:"requires,omitempty"`
	Written     bool              `json:"written"`
}

// JSON prints the set as one JSON document: each changed file with its
// edits (rule, risk, message, range) and unified diff, and every
// diagnostic, with paths relative to base.
func JSON(w io.Writer, base string, set *change.Set, requires map[string]string, written bool) error {
	out := JSONResult{Root: base, Files: []jsonFile{}, Diagnostics: []jsonDiag{}, Requires: requires, Written: written}
	for _, f := range set.Files {
		name := Rel(base, f.Path)
		edits := f.Edits
		if edits == nil {
			edits = []change.Edit{}
		}
		out.Files = append(out.Files, jsonFile{File: name, Created: f.Created, Deleted: f.Deleted, Changes: edits,
			Diff: string(udiff.Unified("a/"+name, "b/"+name, f.Old, f.New)), Requires: f.Requires})
	}
	for _, d := range set.Diags {
		out.Diagnostics = append(out.Diagnostics, jsonDiag{Diagnostic: d, File: Rel(base, d.Path)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
