package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Helper files. A rule that would otherwise repeat the same statements at
// every call site (a blocking dial's wait) asks for a rule.Helper; the
// engine writes each helper once per package into a file of its own:
//
//	protolift_helpers.go          package P, for helpers non-test code calls
//	protolift_helpers_test.go     package P, for helpers only P's tests call
//	protolift_helpers_ext_test.go package P_test, for external tests
//
// A helper a previous run wrote is reused (found by name in the helper
// files on disk), so a second run adds nothing; a name the package
// already uses for something else gets a numeric suffix.
const (
	helperFileMain = "protolift_helpers.go"
	helperFileTest = "protolift_helpers_test.go"
	helperFileExt  = "protolift_helpers_ext_test.go"
)

// helperHeader opens every helper file, after the package clause (above
// it, it would become the package's doc comment).
const helperHeader = `// This file was added by protolift while migrating this package off
// deprecated gRPC and protobuf APIs. Each helper keeps one behaviour of
// the old API (its doc says which) in one place instead of at every call
// site. Once a call site no longer needs that behaviour, call the new API
// directly; delete a helper when nothing calls it, and this file when it
// is empty.
`

// helperWant is one helper a changed file needs written.
type helperWant struct {
	file   string // helper file path
	pkg    string // its package name
	name   string
	helper *rule.Helper
	rule   string
	// build is the //go:build expression of the file that needs the
	// helper ("" for none).
	build string
}

// helperTarget is the helper file a file in package pkgName calls into,
// and the helper files whose functions it can see.
func helperTarget(path, pkgName string) (target string, visible []string) {
	dir := filepath.Dir(path)
	switch {
	case !strings.HasSuffix(path, "_test.go"):
		return filepath.Join(dir, helperFileMain), []string{filepath.Join(dir, helperFileMain)}
	case strings.HasSuffix(pkgName, "_test"):
		return filepath.Join(dir, helperFileExt), []string{filepath.Join(dir, helperFileExt)}
	}
	return filepath.Join(dir, helperFileTest), []string{filepath.Join(dir, helperFileMain), filepath.Join(dir, helperFileTest)}
}

func isHelperFile(path string) bool {
	switch filepath.Base(path) {
	case helperFileMain, helperFileTest, helperFileExt:
		return true
	}
	return false
}

// helperFuncs returns the functions a helper file on disk declares.
func helperFuncs(path string) map[string]bool {
	out := map[string]bool{}
	src, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return out
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			out[fd.Name.Name] = true
		}
	}
	return out
}

// Helper implements rule.HelperSink.
func (s *fileSink) Helper(h *rule.Helper) string {
	if s.pkg == nil || s.pkg.Types == nil {
		return ""
	}
	target, visible := helperTarget(s.path, s.pkg.Name)
	// Names the helper files of this package (and its in-package tests)
	// already declare.
	inHelpers := map[string]bool{}
	dir := filepath.Dir(s.path)
	family := []string{filepath.Join(dir, helperFileMain), filepath.Join(dir, helperFileTest)}
	if strings.HasSuffix(s.pkg.Name, "_test") && strings.HasSuffix(s.path, "_test.go") {
		family = []string{filepath.Join(dir, helperFileExt)}
	}
	for _, f := range family {
		for n := range helperFuncs(f) {
			inHelpers[n] = true
		}
	}
	for i := 1; ; i++ {
		name := h.Name
		if i > 1 {
			name += strconv.Itoa(i)
		}
		for _, v := range visible {
			if helperFuncs(v)[name] {
				return name // written by an earlier run: reuse it
			}
		}
		if inHelpers[name] {
			continue
		}
		if obj := s.pkg.Types.Scope().Lookup(name); obj != nil && !isHelperFile(s.pkg.Fset.Position(obj.Pos()).Filename) {
			continue
		}
		s.helpers = append(s.helpers, helperWant{file: target, pkg: s.pkg.Name, name: name, helper: h, rule: s.rule})
		return name
	}
}

// keepHelpers records the helpers a file that changed needs.
func (r *Result) keepHelpers(s *fileSink, src []byte) {
	build := ""
	if e := buildConstraint(src); e != nil {
		build = e.String()
	}
	for _, w := range s.helpers {
		w.build = build
		r.helpers = append(r.helpers, w)
	}
}

// writeHelpers puts each helper file into the result: created, or the
// existing one with the missing helpers added.
func (r *Result) writeHelpers() error {
	if len(r.helpers) == 0 {
		return nil
	}
	byFile := map[string]map[string]helperWant{}
	for _, w := range r.helpers {
		if byFile[w.file] == nil {
			byFile[w.file] = map[string]helperWant{}
		}
		if cur, ok := byFile[w.file][w.name]; !ok {
			byFile[w.file][w.name] = w
		} else if cur.build != w.build {
			// Users under different constraints: build it always.
			cur.build = ""
			byFile[w.file][w.name] = cur
		}
	}
	// A helper the package itself gets is visible to its tests: the test
	// helper file must not declare it again.
	for file, ws := range byFile {
		if filepath.Base(file) != helperFileTest {
			continue
		}
		main := byFile[filepath.Join(filepath.Dir(file), helperFileMain)]
		for n := range ws {
			if _, ok := main[n]; ok {
				delete(ws, n)
			}
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		ws := byFile[file]
		if len(ws) == 0 {
			continue
		}
		f, err := helperFile(file, ws)
		if err != nil {
			return err
		}
		if f != nil {
			change.AddRequires(r.Requires, f.Requires)
			r.Put(f)
		}
	}
	return nil
}

// helperFile builds the change for one helper file, or nil when every
// helper is already there.
func helperFile(path string, ws map[string]helperWant) (*change.File, error) {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	have := helperFuncs(path)
	var names []string
	pkgName := ""
	for n, w := range ws {
		pkgName = w.pkg
		if !have[n] {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	sort.Strings(names)
	imports := map[string]bool{}
	var decls bytes.Buffer
	requires := map[string]string{}
	byRule := map[string]map[string]string{}
	for _, n := range names {
		w := ws[n]
		decl := w.helper.Decl
		if n != w.helper.Name {
			decl = renameFunc(decl, w.helper.Name, n)
		}
		decls.WriteString("\n" + strings.TrimSpace(decl) + "\n")
		for _, imp := range w.helper.Imports {
			imports[imp] = true
		}
		for p, v := range w.helper.Requires {
			change.Require(requires, p, v)
			if byRule[w.rule] == nil {
				byRule[w.rule] = map[string]string{}
			}
			byRule[w.rule][p] = v
		}
	}
	// A file whose every user builds under one constraint (a
	// `//go:build integration` test, say) gets that constraint too, so
	// other builds neither compile nor link its imports.
	build, same := "", true
	for i, w := range sortedWants(ws) {
		if i == 0 {
			build = w.build
		}
		same = same && w.build == build
	}
	if !same {
		build = ""
	}
	var src []byte
	if old == nil {
		var b bytes.Buffer
		if build != "" {
			fmt.Fprintf(&b, "//go:build %s\n\n", build)
		}
		fmt.Fprintf(&b, "package %s\n\n%s\n", pkgName, helperHeader)
		if len(imports) > 0 {
			b.WriteString("import (\n")
		}
		paths := make([]string, 0, len(imports))
		for p := range imports {
			paths = append(paths, p)
		}
		// Standard library first, then a blank line and the rest.
		sort.Slice(paths, func(i, j int) bool {
			si, sj := !strings.Contains(strings.Split(paths[i], "/")[0], "."), !strings.Contains(strings.Split(paths[j], "/")[0], ".")
			if si != sj {
				return si
			}
			return paths[i] < paths[j]
		})
		for i, p := range paths {
			if i > 0 && !strings.Contains(strings.Split(p, "/")[0], ".") != !strings.Contains(strings.Split(paths[i-1], "/")[0], ".") {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "\t%q\n", p)
		}
		if len(imports) > 0 {
			b.WriteString(")\n")
		}
		b.Write(decls.Bytes())
		src = b.Bytes()
	} else {
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, path, old, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for p := range imports {
			astutil.AddImport(fset, af, p)
		}
		var b bytes.Buffer
		if err := format.Node(&b, fset, af); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.Write(decls.Bytes())
		src = b.Bytes()
	}
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("%s: helper does not parse (%v); this is a protolift bug, please report it", path, err)
	}
	var edits []change.Edit
	for _, n := range names {
		w := ws[n]
		line := 1 + bytes.Count(out[:bytes.Index(out, []byte("func "+n+"("))], []byte("\n"))
		pos := change.Position{Line: line, Col: 1}
		if old != nil {
			pos = change.Position{Line: 1 + bytes.Count(old, []byte("\n")), Col: 1, Offset: len(old)}
		}
		edits = append(edits, change.Edit{Rule: w.rule, Risk: change.Safe, Message: "helper " + n + " added (written once per package, called instead of repeating its body)", Start: pos, End: pos})
	}
	return &change.File{Path: path, Old: old, New: out, Created: old == nil, Edits: edits, Stage: "go", Requires: requires, RuleRequires: byRule}, nil
}

// renameFunc renames the declared function (its doc and recursive uses
// included) in a helper's source.
func renameFunc(decl, from, to string) string {
	return regexp.MustCompile(`\b`+regexp.QuoteMeta(from)+`\b`).ReplaceAllString(decl, to)
}

func sortedWants(ws map[string]helperWant) []helperWant {
	names := make([]string, 0, len(ws))
	for n := range ws {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]helperWant, len(names))
	for i, n := range names {
		out[i] = ws[n]
	}
	return out
}
