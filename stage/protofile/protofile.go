// Package protofile is the `proto` stage: it repairs reserved statements,
// gives files without go_package one, and (optionally) hands files to the
// editions converter. It edits .proto files by byte-range splices so every
// byte outside an edited span stays as the author wrote it.
//
// A file is left unchanged (with a diagnostic) when it has a syntax error
// (proto.parse), cannot be read (proto.read), or uses an edition newer than
// 2023 (proto.parse, review). Every other file gets its safe fixes; what
// cannot be fixed safely is reported with risk manual: a reserved name
// that is not an identifier, `reserved max;` in proto2/proto3, reserved
// numbers below 1, above 536870911 or outside int32 (enums), a range whose
// end is before its start, a field or enum value using a reserved number
// or name, an extension range overlapping a reserved range, a field number
// in 19000-19999 (proto.reserved), an import no root provides
// (proto.import), and any other compiler error (proto.parse). With an
// edition, a file with any manual finding is not converted, and a
// conversion is kept only when the editions package proves it equivalent;
// otherwise the reasons are reported (proto.editions).
package protofile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/parser"
	"github.com/bufbuild/protocompile/reporter"
	"golang.org/x/mod/modfile"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/protows"
)

// Options configure one run of the stage.
type Options struct {
	// ModuleDir is the Go module root (the directory holding go.mod).
	ModuleDir string
	// Paths are files or directories, absolute or relative to ModuleDir.
	// Empty means every .proto file of the module, skipping vendor/,
	// testdata/, hidden directories, nested Go modules and third-party
	// include trees (third_party/, third-party/, and copies of
	// google/protobuf/*.proto).
	Paths []string
	// Overlay holds file contents (absolute path → content) that replace
	// what is on disk; files that exist only in the overlay are included.
	Overlay map[string][]byte
	// Edition is "" (keep the file's syntax) or an edition such as "2023"
	// to convert proto2/proto3 files to.
	Edition string
	// GoPackagePrefix replaces the module path when go_package is derived:
	// the option becomes "<prefix>/<dir>;<pkg>".
	GoPackagePrefix string
	// GoPackageMap maps a .proto file or directory (relative to ModuleDir,
	// slash-separated) to a Go import path; the longest match wins and
	// subdirectories of a mapped directory extend its import path.
	GoPackageMap map[string]string
	// ImportPaths are extra roots for resolving imports. The module
	// directory, every directory between a file and the module root, and
	// the standard google/protobuf imports are always searched.
	ImportPaths []string
}

// Rule names used in edits and diagnostics.
const (
	RuleParse     = "proto.parse"
	RuleImport    = "proto.import"
	RuleGoPackage = "proto.go_package"
	RuleReserved  = ruleReserved
	RuleEditions  = "proto.editions"
	RuleRead      = "proto.read"
	RuleConflict  = "proto.conflict"
)

// unparsable is the suggestion of a syntax error: Unparsable finds them.
const unparsable = "fix the error; the file is left unchanged"

// Unparsable returns the diagnostics of .proto files that do not parse.
// The CLI stops on them (exit 2, nothing written): a stage that cannot
// read a schema must not let the rest of the run go ahead without it.
func Unparsable(set *change.Set) []change.Diagnostic {
	var out []change.Diagnostic
	for _, d := range set.Diags {
		if d.Rule == RuleParse && d.Risk == change.Manual && d.Suggestion == unparsable {
			out = append(out, d)
		}
	}
	return out
}

// Run repairs the selected .proto files and returns the new contents and
// diagnostics. It never writes. A file that does not parse is reported and
// left unchanged; the other files are still processed.
func Run(ctx context.Context, opts Options) (*change.Set, error) {
	if opts.ModuleDir == "" {
		return nil, errors.New("protofile: Options.ModuleDir is empty; pass the directory that holds go.mod")
	}
	modDir, err := filepath.Abs(opts.ModuleDir)
	if err != nil {
		return nil, fmt.Errorf("protofile: module directory %s: %v", opts.ModuleDir, err)
	}
	opts.ModuleDir = modDir
	if opts.Edition != "" && opts.Edition != "2023" {
		return nil, fmt.Errorf("protofile: edition %q is not supported; use \"2023\" (protocompile v0.14.1 parses editions only up to 2023)", opts.Edition)
	}
	modPath, err := modulePath(opts)
	if err != nil {
		return nil, err
	}
	st := &stage{opts: opts, modPath: modPath, set: &change.Set{}, contents: map[string][]byte{}}
	if err := st.loadWorkspace(); err != nil {
		return nil, err
	}
	files, err := st.ws.Sources(opts.Paths)
	if err != nil {
		return nil, fmt.Errorf("protofile: %v", err)
	}
	for _, f := range files {
		b, err := st.ws.Read(f)
		if err != nil {
			st.set.Report(change.Diagnostic{Path: f, Rule: RuleRead, Risk: change.Manual,
				Message: fmt.Sprintf("cannot read %s: %v", f, err), Suggestion: "check the file's permissions"})
			continue
		}
		st.contents[f] = b
	}
	st.siblingGoPackages()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src, ok := st.contents[f]
		if !ok {
			continue
		}
		st.processFile(f, src)
	}
	st.reportConflicts()
	if err := st.finish(ctx); err != nil {
		return nil, err
	}
	st.set.Sort()
	return st.set, nil
}

type stage struct {
	opts     Options
	modPath  string
	set      *change.Set
	contents map[string][]byte
	// dirGoPackage is a go_package already used by another file of the
	// same directory; a new one must agree with it.
	dirGoPackage map[string]string
	done         []*fileResult
	// ws is the module's .proto workspace: the roots the repository
	// declares, and the overlay.
	ws *protows.Workspace
	// managedPrefix is buf managed mode's go_package prefix, if any.
	managedPrefix string
	// generated are the module's protoc-gen-go files, by source path.
	generated []generatedFile
	// names records where each top-level full name is defined.
	names map[string][]definition
}

// modulePath is the Go module path of ModuleDir, or "" for a schema-only
// repository (no go.mod): go_package options then come from the prefix
// or buf managed mode, or are not added.
func modulePath(opts Options) (string, error) {
	gm := filepath.Join(opts.ModuleDir, "go.mod")
	b, err := protows.Overlay(opts.Overlay).Read(gm)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("protofile: %v", err)
	}
	p := modfile.ModulePath(b)
	if p == "" && opts.GoPackagePrefix == "" {
		return "", fmt.Errorf("protofile: %s:1:1: no module statement; fix go.mod or set a go_package prefix", gm)
	}
	return p, nil
}

// processFile runs every fix on one file and records the result.
func (st *stage) processFile(path string, src []byte) {
	var diags []change.Diagnostic
	report := func(start, end int, risk change.Risk, rule, msg, sugg string) {
		diags = append(diags, change.Diagnostic{Path: path, Start: change.PositionAt(src, start), End: change.PositionAt(src, end),
			Rule: rule, Risk: risk, Message: msg, Suggestion: sugg})
	}
	toks := lex(src)
	syntax, edition := fileSyntaxEdition(toks)
	if syntax == "editions" && edition != "2023" {
		st.set.Report(change.Diagnostic{Path: path, Start: change.PositionAt(src, 0), End: change.PositionAt(src, 0),
			Rule: RuleParse, Risk: change.Review,
			Message:    fmt.Sprintf("edition %q is newer than the pinned parser understands (protocompile v0.14.1 parses editions up to 2023); file skipped", edition),
			Suggestion: "check this file with buf (which knows 2024) by hand"})
		return
	}
	sp := fixReserved(src, toks, syntax, func(start, end int, risk change.Risk, msg, sugg string) {
		report(start, end, risk, RuleReserved, msg, sugg)
	})
	fixed, _ := applySplices(src, append([]splice(nil), sp...))
	om := offsetMap{sp: sortedSplices(sp)}
	mapped := func(start, end int, risk change.Risk, rule, msg, sugg string) {
		report(om.back(start), om.back(end), risk, rule, msg, sugg)
	}
	// Errors at an item this stage already reported as unfixable (a
	// reserved name that cannot be spelled in this syntax, a range out of
	// bounds) are explained; any other error means the file is broken and
	// stays as it is.
	explained := map[int]bool{}
	for _, d := range diags {
		if d.Rule == RuleReserved && d.Risk == change.Manual {
			explained[d.Start.Offset] = true
		}
	}
	unexplained, syntaxErr := false, false
	type semErr struct {
		off int
		msg string
	}
	var semantic []semErr
	fileNode, res, ok := parseAST(path, fixed, func(off int, msg string, isSyntax bool) {
		o := om.back(off)
		if explained[o] && !isSyntax {
			return
		}
		if !isSyntax {
			semantic = append(semantic, semErr{o, msg})
			return
		}
		syntaxErr = true
		if explained[o] {
			return
		}
		unexplained = true
		report(o, o, change.Manual, RuleParse, msg, unparsable)
	})
	if !ok || unexplained {
		st.set.Report(diags...)
		return
	}
	checkUsage(fileNode, res, mapped)
	st.recordNames(path, fileNode, res, om)
	// Semantic errors leave the syntax tree whole, so the file is still
	// repaired; they are reported unless a check above already did, with
	// protoc's wording, at the same place.
	for _, d := range diags {
		explained[d.Start.Offset] = true
	}
	for _, e := range semantic {
		if !explained[e.off] {
			report(e.off, e.off, change.Manual, RuleParse, e.msg, "fix the error")
		}
	}
	st.checkImports(path, fileNode, fixed, mapped)
	var extra []splice
	// After a syntax error (even one explained above) the parser's tree
	// is partial, often empty: a go_package found missing there may be in
	// the file already, so none is added until the file parses.
	if gp := st.goPackageSplice(path, fileNode, fixed); gp != nil && !syntaxErr {
		extra = append(extra, *gp)
	}
	// The go_package insertion is computed on the fixed text; translate it
	// to original offsets so one splice list describes the whole change.
	for i := range extra {
		insert := extra[i].end == extra[i].start
		extra[i].start, extra[i].end = om.back(extra[i].start), om.back(extra[i].end)
		if insert {
			extra[i].end = extra[i].start
		}
	}
	all := append(sortedSplices(sp), extra...)
	out, edits := applySplices(src, all)
	st.done = append(st.done, &fileResult{path: path, src: src, out: out, edits: edits, diags: diags,
		syntax: syntax, om: offsetMap{sp: sortedSplices(all)}})
}

// fileResult is one file after this stage's own fixes, before conversion.
type fileResult struct {
	path     string
	src, out []byte
	edits    []change.Edit
	diags    []change.Diagnostic
	syntax   string
	om       offsetMap // out offsets → src offsets
}

func (st *stage) finish(ctx context.Context) error {
	if st.opts.Edition != "" {
		if err := st.convertAll(ctx); err != nil {
			return err
		}
	}
	for _, r := range st.done {
		st.set.Report(r.diags...)
		if !bytes.Equal(r.out, r.src) {
			st.set.Put(&change.File{Path: r.path, Old: r.src, New: r.out, Edits: r.edits})
		}
	}
	return nil
}

func sortedSplices(sp []splice) []splice {
	out := append([]splice(nil), sp...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// parseAST parses src losslessly and builds an unvalidated descriptor (the
// checks this stage needs are its own, with protoc's wording).
func parseAST(path string, src []byte, report func(off int, msg string, syntaxErr bool)) (fn *ast.FileNode, res parser.Result, ok bool) {
	// The pinned parser panics on some trees it recovered from syntax
	// errors (an option with a name and no value, `[A]`, makes
	// ResultFromAST dereference a nil value): such a file is reported as
	// not parsing and left unchanged.
	defer func() {
		if p := recover(); p != nil {
			report(0, fmt.Sprintf("cannot parse (the parser failed: %v)", p), true)
			fn, res, ok = nil, nil, false
		}
	}()
	syntaxPhase := true
	h := reporter.NewHandler(reporter.NewReporter(func(e reporter.ErrorWithPos) error {
		msg := e.Error()
		if u := e.Unwrap(); u != nil {
			msg = u.Error()
		}
		report(e.GetPosition().Offset, msg, syntaxPhase)
		return nil
	}, nil))
	fn, err := parser.Parse(path, bytes.NewReader(src), h)
	if fn == nil {
		report(0, fmt.Sprintf("cannot parse: %v", err), true)
		return nil, nil, false
	}
	syntaxPhase = false
	res, _ = parser.ResultFromAST(fn, false, h)
	if res == nil {
		return nil, nil, false
	}
	return fn, res, true
}

// nodeSpan returns the byte range of n (end exclusive).
func nodeSpan(fn *ast.FileNode, n ast.Node) (int, int) {
	info := fn.NodeInfo(n)
	s := info.Start().Offset
	e := s + len(info.RawText())
	return s, e
}
