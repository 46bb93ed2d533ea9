package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/genheader"
)

// report is the part of `protolift -w -json` the harness reads.
type report struct {
	Files []struct {
		File    string `json:"file"`
		Created bool   `json:"created"`
		Changes []struct {
			Rule  string  `json:"rule"`
			Start linePos `json:"start"`
			End   linePos `json:"end"`
		} `json:"changes"`
	} `json:"files"`
	Diagnostics []struct {
		File    string  `json:"file"`
		Start   linePos `json:"start"`
		Rule    string  `json:"rule"`
		Message string  `json:"message"`
	} `json:"diagnostics"`
}

type linePos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// parseReport reads protolift's JSON report (nil if it is not one: an
// exit-2 run prints nothing on stdout).
func parseReport(stdout string) *report {
	var r report
	if json.Unmarshal([]byte(stdout), &r) != nil {
		return nil
	}
	return &r
}

// diagLines formats the report's diagnostics as protolift prints them on
// stderr, relative to root.
func (r *report) diagLines(root string) string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		p := d.File
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", filepath.ToSlash(p), d.Start.Line, d.Start.Col, d.Rule, d.Message)
	}
	return b.String()
}

// Churn measures how much of protolift's diff of hand-written Go files a
// reviewer must read beyond what the rules changed (issue: minimal,
// idiomatic output):
//
//   - Hunks counts the diff hunks (`git diff -U0`) of the hand-written
//     .go files protolift changed (not files it created, not generated
//     code): the size of the change a reviewer reads;
//   - ChurnHunks and ChurnLines count the hunks, and their changed lines,
//     that no rule edit covers (an edit's old line range, give or take the
//     line next to it where a rule inserts a statement) and that are not in
//     an import block: lines protolift changed without a rule asking,
//     which must be none;
//   - DupHelpers lists function bodies protolift added more than once to
//     one package (a helper is emitted once per package).
type Churn struct {
	Hunks      int      `json:"hunks"`
	ChurnHunks int      `json:"churn_hunks"`
	ChurnLines int      `json:"churn_lines"`
	ChurnSites []string `json:"churn_sites,omitempty"` // file:line of each churn hunk
	DupHelpers []string `json:"duplicate_helpers,omitempty"`
}

var hunkRE = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// measureChurn compares the baseline commit of src with its index (after
// `git add -A`), using the rule edits of rep.
func measureChurn(ctx context.Context, src string, rep *report) *Churn {
	c := &Churn{}
	added := map[string][]addedFunc{} // by directory
	for _, f := range rep.Files {
		rel := f.File // the report names files relative to the module root
		if filepath.IsAbs(rel) {
			var err error
			if rel, err = filepath.Rel(src, rel); err != nil {
				continue
			}
		}
		if !strings.HasSuffix(rel, ".go") {
			continue
		}
		rel = filepath.ToSlash(rel)
		if f.Created {
			// Regenerated code (a new _grpc.pb.go) is the generator's,
			// not a helper protolift wrote.
			if now := gitShow(ctx, src, ":"+rel); !genheader.IsGenerated(now) {
				added[filepath.Dir(rel)] = append(added[filepath.Dir(rel)], newFuncs(rel, nil, now)...)
			}
			continue
		}
		old := gitShow(ctx, src, "HEAD:"+rel)
		if old == nil || genheader.IsGenerated(old) {
			continue
		}
		now := gitShow(ctx, src, ":"+rel)
		added[filepath.Dir(rel)] = append(added[filepath.Dir(rel)], newFuncs(rel, old, now)...)
		oldImp, newImp := importLines(old), importLines(now)
		d := git(ctx, src, "diff", "--cached", "-U0", "--no-color", "HEAD", "--", rel)
		for _, line := range strings.Split(d.Stdout, "\n") {
			m := hunkRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			c.Hunks++
			oldStart, oldN := atoi(m[1]), count(m[2])
			newStart, newN := atoi(m[3]), count(m[4])
			lo, hi := oldStart, oldStart+oldN-1
			if oldN == 0 { // an insertion after line oldStart
				lo, hi = oldStart, oldStart+1
			}
			if (oldN == 0 || oldImp.covers(lo, hi)) && (newN == 0 || newImp.covers(newStart, newStart+newN-1)) {
				continue // imports added or removed
			}
			covered := false
			for _, e := range f.Changes {
				if e.Start.Line <= hi+1 && e.End.Line >= lo-1 {
					covered = true
					break
				}
			}
			if !covered {
				c.ChurnHunks++
				c.ChurnLines += oldN + newN
				c.ChurnSites = append(c.ChurnSites, fmt.Sprintf("%s:%d", rel, lo))
			}
		}
	}
	for dir, fs := range added {
		byBody := map[string][]string{}
		for _, f := range fs {
			byBody[f.body] = append(byBody[f.body], f.where)
		}
		for _, where := range byBody {
			if len(where) > 1 {
				sort.Strings(where)
				c.DupHelpers = append(c.DupHelpers, dir+": "+strings.Join(where, ", "))
			}
		}
	}
	sort.Strings(c.DupHelpers)
	return c
}

func gitShow(ctx context.Context, dir, obj string) []byte {
	r := git(ctx, dir, "show", obj)
	if !r.ok() {
		return nil
	}
	return []byte(r.Stdout)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// count is a hunk header's line count: absent means 1.
func count(s string) int {
	if s == "" {
		return 1
	}
	return atoi(s)
}

// lineRange is a file's import declarations, as 1-based line numbers.
type lineRange struct{ lo, hi int }

func (r lineRange) covers(lo, hi int) bool { return r.lo > 0 && lo >= r.lo && hi <= r.hi }

func importLines(src []byte) lineRange {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ImportsOnly)
	if err != nil || len(f.Imports) == 0 {
		return lineRange{}
	}
	var r lineRange
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		lo, hi := fset.Position(gd.Pos()).Line, fset.Position(gd.End()).Line
		if r.lo == 0 || lo < r.lo {
			r.lo = lo
		}
		if hi > r.hi {
			r.hi = hi
		}
	}
	return r
}

// addedFunc is a function declaration protolift added to a file.
type addedFunc struct {
	where string // file: name
	body  string // the printed body, the key for duplicates
}

// newFuncs returns the functions of now that old does not declare (by
// name and receiver).
func newFuncs(rel string, old, now []byte) []addedFunc {
	had := map[string]bool{}
	_, olds := funcDecls(old)
	for _, fd := range olds {
		had[funcKey(fd)] = true
	}
	var out []addedFunc
	fset, nows := funcDecls(now)
	for _, fd := range nows {
		if had[funcKey(fd)] || fd.Body == nil {
			continue
		}
		var b bytes.Buffer
		printer.Fprint(&b, fset, fd.Body)
		out = append(out, addedFunc{where: rel + ": " + fd.Name.Name, body: b.String()})
	}
	return out
}

func funcDecls(src []byte) (*token.FileSet, []*ast.FuncDecl) {
	fset := token.NewFileSet()
	if src == nil {
		return fset, nil
	}
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		return fset, nil
	}
	var out []*ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			out = append(out, fd)
		}
	}
	return fset, out
}

func funcKey(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	var b bytes.Buffer
	printer.Fprint(&b, token.NewFileSet(), fd.Recv.List[0].Type)
	return b.String() + "." + fd.Name.Name
}
