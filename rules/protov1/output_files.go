package protov1

import (
	"bytes"
	"go/ast"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/protolift/protolift/rule"
)

// Text output that reaches a file or stdout, in a module that keeps v1
// text format in files.
//
// A module whose own files (a golden file under testdata, an expected
// output next to a script; anything but Go and .proto sources) hold text
// in v1's format — a nested message opened as `name: <` on a line of its
// own and closed by a `>` line, or compact `name:<field:` — captured some
// program's text output, and its tests or scripts compare that output
// with those files (gnostic's CLI tests diff `--text-out` files against
// testdata/v2.0/petstore.text). prototext prints those messages as
// `{…}`, so a text-format call whose output can reach a file or stdout
// is refused there, naming the file and line that show v1's format and
// the place the output is written. Once the files hold prototext's
// output (or the tests compare parsed messages) the evidence is gone and
// the calls move on the next run.
//
// The scope is the writing package: the output is followed through
// local variables (as for compared output, output_format.go), into the
// package's own functions that take it as an argument (gnostic's
// writeTextOutput hands the bytes to writeFile, which writes them to
// stdout or a file), and out through returns to the package's callers
// of the function, a few calls deep. Package main alone would be too
// narrow (gnostic's writer lives in package lib, which its main and its
// tests drive); refusing every text call of the module would be too
// wide (text built for a log line, an error or an in-memory comparison
// never lands in such a file, and keeps today's warning). A write is
// one to a file or stdout when it goes to os.WriteFile, fmt.Print*, or a
// writer typed *os.File, *bufio.Writer or an interface (io.Writer and
// the like may hold a file); a local buffer is followed like a variable.
// Logging (stderr through package log) is not counted.

// v1TextFile is the first module file holding v1 text format: its
// path relative to the module root and the line.
type v1TextFile struct {
	rel  string
	line int
}

var (
	// v1Open is a multi-line v1 nested message: `name: <` ending its
	// line (an extension or expanded Any in brackets).
	v1Open = regexp.MustCompile(`(?m)^[ \t]*(?:\[[^\]\n]+\]|[A-Za-z_][A-Za-z0-9_]*): <[ \t]*\r?$`)
	// v1Close is the `>` line closing it.
	v1Close = regexp.MustCompile(`(?m)^[ \t]*>[ \t]*\r?$`)
	// v1Compact is compact v1 output: `name:<field:`.
	v1Compact = regexp.MustCompile(`(?m)(?:^|[ \t])(?:\[[^\]\n]+\]|[A-Za-z_][A-Za-z0-9_]*):<(?:\[[^\]\n]+\]|[A-Za-z_][A-Za-z0-9_]*):`)
)

// Bounds of the scan for v1 text files.
const (
	v1TextMaxFile  = 4 << 20
	v1TextMaxTotal = 256 << 20
)

// v1TextEvidence returns the module's first file (in path order, one
// under testdata first) holding v1 text format, computed once per run.
func v1TextEvidence(p *rule.Pass) (v1TextFile, bool) {
	if p.Program == nil || p.Program.ModuleDir == "" {
		return v1TextFile{}, false
	}
	dir := p.Program.ModuleDir
	f, _ := p.Program.Memo("protov1.v1-text-file", func() any { return scanV1Text(dir) }).(v1TextFile)
	return f, f.rel != ""
}

// scanV1Text walks the module (not vendor, hidden directories,
// node_modules or nested modules; testdata included) for the first text
// file other than Go and .proto sources that holds v1 text format,
// preferring one under a testdata directory (a test's golden file).
func scanV1Text(root string) v1TextFile {
	var found v1TextFile
	total := 0
	stop := fs.SkipAll
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".proto") || name == "go.mod" || name == "go.sum" {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > v1TextMaxFile {
			return nil
		}
		if total += int(info.Size()); total > v1TextMaxTotal {
			return stop
		}
		b, err := os.ReadFile(path)
		if err != nil || bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 {
			return nil // unreadable or binary
		}
		at := -1
		if loc := v1Open.FindIndex(b); loc != nil && v1Close.Match(b[loc[1]:]) {
			at = loc[0]
		}
		if loc := v1Compact.FindIndex(b); loc != nil && (at < 0 || loc[0] < at) {
			at = loc[0]
		}
		if at < 0 {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if found.rel == "" {
			found = v1TextFile{rel: rel, line: 1 + bytes.Count(b[:at], []byte("\n"))}
		}
		if rel == "testdata" || strings.HasPrefix(rel, "testdata/") || strings.Contains(rel, "/testdata/") {
			// a test's golden file says most: keep looking for one
			found = v1TextFile{rel: rel, line: 1 + bytes.Count(b[:at], []byte("\n"))}
			return stop
		}
		return nil
	})
	return found
}

// refuseWrittenText returns why a text-format call (its value, or what
// it writes into writer) must not be rewritten because its output can
// reach a file or stdout in a module holding v1 text files, or "".
func refuseWrittenText(p *rule.Pass, call *ast.CallExpr, writer ast.Expr) string {
	ev, ok := v1TextEvidence(p)
	if !ok {
		return ""
	}
	pos, how, via := outputWritten(p, call, writer)
	if !pos.IsValid() {
		return ""
	}
	return "the produced text can reach a file or stdout (" + how + " at " + shortPos(p.Fset.Position(pos)) + via +
		"), and this module keeps text in v1's format: " + ev.rel + ":" + strconv.Itoa(ev.line) +
		" opens a nested message with `<`, which prototext prints as `{`; its tests or scripts may compare this output with such files: regenerate them from prototext's output (or compare parsed messages), then migrate"
}

// outputWritten returns where the output of call (or what it writes into
// writer) is written to a file or stdout, how, and through which of the
// package's functions (", through f"), or NoPos.
func outputWritten(p *rule.Pass, call *ast.CallExpr, writer ast.Expr) (token.Pos, string, string) {
	info := p.Info()
	if writer != nil && fileWriter(info.TypeOf(writer)) {
		return call.Pos(), "written to " + types.ExprString(writer), ""
	}
	fn := outermostFunc(p, call)
	if fn == nil {
		return token.NoPos, "", ""
	}
	t := &taint{info: info, fn: fn, vars: map[types.Object]bool{}}
	if writer != nil {
		w := ast.Unparen(writer)
		if u, ok := w.(*ast.UnaryExpr); ok && u.Op == token.AND {
			w = ast.Unparen(u.X)
		}
		if !t.mark(w) {
			return token.NoPos, "", ""
		}
	} else {
		t.src = call
	}
	r := &reacher{p: p, busy: map[string]bool{}}
	return r.follow(t, 0)
}

// outermostFunc returns the outermost function declaring n.
func outermostFunc(p *rule.Pass, n ast.Node) ast.Node {
	f := fileAt(p, n.Pos())
	if f == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(f, n.Pos(), n.End())
	var fn ast.Node
	for _, a := range path {
		switch a.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			fn = a
		}
	}
	return fn
}

// reachDepth bounds the calls followed from the text call.
const reachDepth = 4

// reacher follows text output across the package's functions.
type reacher struct {
	p    *rule.Pass
	busy map[string]bool // functions' parameters and results already followed
}

// decl returns the package's declaration of fn, or nil.
func (r *reacher) decl(fn *types.Func) *ast.FuncDecl {
	if fn == nil || fn.Pkg() != r.p.Pkg.Types {
		return nil
	}
	f := fileAt(r.p, fn.Pos())
	if f == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(f, fn.Pos(), fn.Pos())
	for _, n := range path {
		if d, ok := n.(*ast.FuncDecl); ok && d.Body != nil && r.p.Info().Defs[d.Name] == fn {
			return d
		}
	}
	return nil
}

// follow propagates t and returns the first write to a file or stdout,
// in t's function or, a few calls deep, in the package functions the
// output flows into or out to (named by via).
func (r *reacher) follow(t *taint, depth int) (pos token.Pos, how, via string) {
	t.propagate()
	if pos, how := t.written(); pos.IsValid() {
		return pos, how, ""
	}
	if depth >= reachDepth {
		return token.NoPos, "", ""
	}
	info := r.p.Info()
	// Into the package's functions taking the output as an argument.
	ast.Inspect(t.fn, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || pos.IsValid() {
			return !pos.IsValid()
		}
		fn, _ := typeutil.Callee(info, call).(*types.Func)
		d := r.decl(fn)
		if d == nil {
			return true
		}
		for i, a := range call.Args {
			if !t.has(a) {
				continue
			}
			param := paramAt(d, i)
			key := fn.FullName() + "#" + strconv.Itoa(i)
			if param == nil || r.busy[key] {
				continue
			}
			r.busy[key] = true
			t2 := &taint{info: info, fn: d, vars: map[types.Object]bool{}}
			if !t2.mark(param) {
				continue
			}
			if p2, h2, v2 := r.follow(t2, depth+1); p2.IsValid() {
				pos, how, via = p2, h2, v2+", through "+fn.Name()
				return false
			}
		}
		return true
	})
	if pos.IsValid() {
		return pos, how, via
	}
	// Out through a result, to the package's calls of the function.
	d, ok := t.fn.(*ast.FuncDecl)
	if !ok || !t.returned(d) {
		return token.NoPos, "", ""
	}
	fn, _ := info.Defs[d.Name].(*types.Func)
	if fn == nil || r.busy[fn.FullName()+"#result"] {
		return token.NoPos, "", ""
	}
	key := fn.FullName() + "#result"
	r.busy[key] = true
	for _, f := range r.p.Pkg.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || pos.IsValid() {
				return !pos.IsValid()
			}
			if typeutil.Callee(info, call) != fn {
				return true
			}
			outer := outermostFunc(r.p, call)
			if outer == nil {
				return true
			}
			t2 := &taint{info: info, fn: outer, src: call, vars: map[types.Object]bool{}}
			if p2, h2, v2 := r.follow(t2, depth+1); p2.IsValid() {
				pos, how, via = p2, h2, v2+", returned by "+fn.Name()
				return false
			}
			return true
		})
	}
	return pos, how, via
}

// paramAt returns the name of the parameter receiving argument i (the
// variadic one for any later argument), or nil.
func paramAt(d *ast.FuncDecl, i int) *ast.Ident {
	var names []*ast.Ident
	for _, f := range d.Type.Params.List {
		if len(f.Names) == 0 {
			names = append(names, nil)
		}
		names = append(names, f.Names...)
	}
	if len(names) == 0 {
		return nil
	}
	if i >= len(names) {
		if _, variadic := d.Type.Params.List[len(d.Type.Params.List)-1].Type.(*ast.Ellipsis); !variadic {
			return nil
		}
		i = len(names) - 1
	}
	return names[i]
}

// returned reports whether the function returns (part of) the output:
// a return statement of its own (not of a function literal in it) with a
// result holding it, or a named result holding it.
func (t *taint) returned(d *ast.FuncDecl) bool {
	if d.Type.Results != nil {
		for _, f := range d.Type.Results.List {
			for _, id := range f.Names {
				if o := t.info.Defs[id]; o != nil && t.vars[o] {
					return true
				}
			}
		}
	}
	found := false
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for _, e := range n.Results {
				found = found || t.has(e)
			}
		}
		return !found
	})
	return found
}

// fileWriter reports whether a value of type typ written to may land in
// a file or on stdout: an *os.File, a *bufio.Writer (it flushes into
// another writer) or an interface with a Write method.
func fileWriter(typ types.Type) bool {
	if typ == nil {
		return false
	}
	if rule.IsNamed(typ, "os", "File") || rule.IsNamed(typ, "bufio", "Writer") {
		_, ptr := typ.(*types.Pointer)
		return ptr
	}
	if !types.IsInterface(typ) {
		return false
	}
	return types.NewMethodSet(typ).Lookup(nil, "Write") != nil
}

// written returns the first place in the function that writes the output
// to a file or stdout, and how.
func (t *taint) written() (token.Pos, string) {
	pos, how := token.NoPos, ""
	ast.Inspect(t.fn, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || pos.IsValid() {
			return !pos.IsValid()
		}
		fn, _ := typeutil.Callee(t.info, call).(*types.Func)
		if fn == nil || fn.Pkg() == nil {
			return true
		}
		path, name := fn.Pkg().Path(), fn.Name()
		argFrom := func(i int) bool {
			for _, a := range call.Args[min(i, len(call.Args)):] {
				if t.has(a) {
					return true
				}
			}
			return false
		}
		recv := fn.Type().(*types.Signature).Recv()
		switch {
		case recv == nil && (path == "os" || path == "io/ioutil") && name == "WriteFile" && len(call.Args) > 1 && t.has(call.Args[1]):
			pos, how = call.Pos(), "written to a file by "+fn.Pkg().Name()+"."+name
		case recv == nil && path == "fmt" && (name == "Print" || name == "Printf" || name == "Println") && argFrom(0):
			pos, how = call.Pos(), "printed on stdout by fmt."+name
		case recv == nil && (path == "fmt" && strings.HasPrefix(name, "Fprint") || path == "io" && name == "WriteString") &&
			len(call.Args) > 1 && argFrom(1) && fileWriter(t.info.TypeOf(call.Args[0])):
			pos, how = call.Pos(), "written to "+types.ExprString(call.Args[0])+" by "+fn.Pkg().Name()+"."+name
		case recv != nil && strings.HasPrefix(name, "Write"):
			sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if name == "WriteTo" && len(call.Args) == 1 && t.has(sel.X) && fileWriter(t.info.TypeOf(call.Args[0])) {
				pos, how = call.Pos(), "written to "+types.ExprString(call.Args[0])+" by WriteTo"
			} else if name != "WriteTo" && argFrom(0) && fileWriter(t.info.TypeOf(sel.X)) {
				pos, how = call.Pos(), "written to "+types.ExprString(sel.X)+" by "+name
			}
		}
		return true
	})
	return pos, how
}
