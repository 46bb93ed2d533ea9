package protov1

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Output-format changes of protov1.jsonpb and protov1.proto.text.
//
// protojson and prototext do not print what jsonpb and the v1 text
// format printed (behaviour_output_test.go runs the rewritten code
// against both libraries to keep these claims true):
//
//   - protojson randomly adds a space after each `,` of compact output
//     (jsonpb `[1,2,"3"]`, protojson `[1, 2, "3"]`) and a second space
//     after each `:` of indented output, on purpose, so that nobody
//     depends on its bytes;
//   - prototext prints a nested message as `{…}` where v1 printed `<…>`,
//     drops v1's space after each field of compact output (`a:1 ` → `a:1`)
//     and randomly doubles spaces after `:` (multi-line) or between fields
//     (compact).
//
// Every rewritten call that produces text therefore gets a warning
// diagnostic (risk review, printed on stderr with the other diagnostics)
// naming the change. A call whose output the enclosing function compares
// — ==, !=, a switch, bytes.Equal, strings.Compare/Contains/HasPrefix,
// reflect.DeepEqual, cmp.Diff/Equal, testify and gotest.tools equality
// assertions, a golden-file helper or os.WriteFile to a golden file — is
// not rewritten: the comparison would start failing. The output is
// followed through the function's local variables (s := string(b),
// buf.String(), strings.TrimSpace(s), a strings.Builder written with it,
// a range over it), not across function calls. With the rule option
// keep-output-format (protolift -keep-output-format) every such call is
// refused. In a module whose own files hold v1 text format, a text call
// whose output can reach a file or stdout is refused too
// (output_files.go).

// keepOutputFormatOption is the rule option (-keep-output-format) that
// refuses every rewrite changing produced text.
const keepOutputFormatOption = "keep-output-format"

func keepOutputFormat(p *rule.Pass) bool {
	v := p.Option(keepOutputFormatOption)
	return v != "" && v != "false"
}

// The warnings, one per kind of produced text.
const (
	jsonOutputMsg = "output format changes: protojson adds spaces on purpose where jsonpb printed none: after a `,` in compact output (jsonpb `[1,2,\"3\"]`, protojson `[1, 2, \"3\"]`), a second one after a `:` in indented output; compare parsed JSON, not text (-keep-output-format refuses this rewrite)"
	textMultiMsg  = "output format changes: prototext prints a nested message as `name: {…}` where v1 printed `name: <…>`, and may put two spaces after a `:`; compare parsed messages, not text (-keep-output-format refuses this rewrite)"
	textCompMsg   = "output format changes: prototext prints a nested message as `name:{…}` where v1 printed `name:<… >`, drops v1's space after each field and may put two spaces between fields; compare parsed messages, not text (-keep-output-format refuses this rewrite)"
	textOptsMsg   = "output format changes: prototext prints a nested message as `{…}` where v1 printed `<…>`, drops v1's space after each compact field and may double spaces; compare parsed messages, not text (-keep-output-format refuses this rewrite)"
)

// refuseOutput returns why the call producing text (its value, or what
// it writes into writer when writer is not nil) must not be rewritten,
// or "". what names the produced text ("JSON", "text").
func refuseOutput(p *rule.Pass, call *ast.CallExpr, writer ast.Expr, what string) string {
	if keepOutputFormat(p) {
		return "-keep-output-format: the rewrite would change the produced " + what
	}
	pos, how := comparedAt(p, call, writer)
	if !pos.IsValid() {
		if what == "text" {
			return refuseWrittenText(p, call, writer) // output_files.go
		}
		return ""
	}
	at := p.Fset.Position(pos)
	return "the produced " + what + " is " + how + " at " + shortPos(at) + ", and the rewrite changes its format; compare parsed messages instead, then migrate"
}

func shortPos(at token.Position) string {
	name := at.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name + ":" + strconv.Itoa(at.Line)
}

// fileAt returns the package file holding pos.
func fileAt(p *rule.Pass, pos token.Pos) *ast.File {
	for _, f := range p.Pkg.Syntax {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// comparedAt follows the output of call through the local variables of
// the function declaring it and returns the first place it is compared,
// with how, or NoPos.
func comparedAt(p *rule.Pass, call *ast.CallExpr, writer ast.Expr) (token.Pos, string) {
	info := p.Info()
	f := fileAt(p, call.Pos())
	if f == nil {
		return token.NoPos, ""
	}
	path, _ := astutil.PathEnclosingInterval(f, call.Pos(), call.End())
	var fn ast.Node
	for _, n := range path {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			fn = n // the outermost wins
		}
	}
	if fn == nil {
		return token.NoPos, ""
	}
	t := &taint{info: info, fn: fn, vars: map[types.Object]bool{}}
	if writer != nil {
		w := ast.Unparen(writer)
		if u, ok := w.(*ast.UnaryExpr); ok && u.Op == token.AND {
			w = ast.Unparen(u.X)
		}
		if !t.mark(w) {
			return token.NoPos, ""
		}
	} else {
		t.src = call
	}
	t.propagate()
	return t.sink()
}

// taint is the set of local variables holding (part of) a call's output.
type taint struct {
	info *types.Info
	fn   ast.Node
	src  *ast.CallExpr // the call, when its value is the output
	vars map[types.Object]bool
}

// mark adds the local variable e denotes; it reports whether it did.
func (t *taint) mark(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return false
	}
	v, _ := t.info.ObjectOf(id).(*types.Var)
	if v == nil || v.Pos() < t.fn.Pos() || v.Pos() >= t.fn.End() || t.vars[v] {
		return false
	}
	if types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	t.vars[v] = true
	return true
}

// has reports whether e holds (part of) the output.
func (t *taint) has(e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if n == t.src {
				found = true
			}
		case *ast.Ident:
			if o := t.info.Uses[n]; o != nil && t.vars[o] {
				found = true
			}
		}
		return !found
	})
	return found
}

// writerVar reports whether e is a local variable (or its address) of a
// type with a Write method: a buffer or builder the output may be
// copied into.
func (t *taint) writerVar(e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	v, _ := t.info.ObjectOf(id).(*types.Var)
	if v == nil {
		return false
	}
	typ := v.Type()
	if _, ptr := typ.Underlying().(*types.Pointer); !ptr && !types.IsInterface(typ) {
		typ = types.NewPointer(typ)
	}
	return types.NewMethodSet(typ).Lookup(nil, "Write") != nil
}

// propagate marks the variables the output flows into, until nothing
// changes: assignments and declarations from expressions holding it,
// range variables over it, and buffers it is written into.
func (t *taint) propagate() {
	for changed := true; changed; {
		changed = false
		ast.Inspect(t.fn, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				changed = t.flow(n.Lhs, n.Rhs) || changed
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				changed = t.flow(lhs, n.Values) || changed
			case *ast.RangeStmt:
				if t.has(n.X) {
					for _, e := range []ast.Expr{n.Key, n.Value} {
						if e != nil {
							changed = t.mark(e) || changed
						}
					}
				}
			case *ast.CallExpr:
				tainted := false
				for _, a := range n.Args {
					tainted = tainted || t.has(a)
				}
				if !tainted {
					return true
				}
				if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && t.writerVar(sel.X) {
					changed = t.mark(sel.X) || changed
				}
				for _, a := range n.Args {
					if !t.has(a) && t.writerVar(a) {
						a = ast.Unparen(a)
						if u, ok := a.(*ast.UnaryExpr); ok {
							a = u.X
						}
						changed = t.mark(a) || changed
					}
				}
			}
			return true
		})
	}
}

func (t *taint) flow(lhs, rhs []ast.Expr) bool {
	changed := false
	switch {
	case len(lhs) == len(rhs):
		for i := range rhs {
			if t.has(rhs[i]) {
				changed = t.mark(lhs[i]) || changed
			}
		}
	case len(rhs) == 1 && rhs[0] == t.src:
		// s, err := m.MarshalToString(x): the string is the output.
		changed = t.mark(lhs[0])
	case len(rhs) == 1 && t.has(rhs[0]):
		for _, l := range lhs {
			changed = t.mark(l) || changed
		}
	}
	return changed
}

// outputSinks are the functions (by package path, then name) that
// compare their arguments.
var outputSinks = map[string]map[string]bool{
	"bytes":                               set("Equal", "Compare", "EqualFold", "Contains", "HasPrefix", "HasSuffix"),
	"strings":                             set("Compare", "EqualFold", "Contains", "HasPrefix", "HasSuffix"),
	"reflect":                             set("DeepEqual"),
	"github.com/google/go-cmp/cmp":        set("Diff", "Equal"),
	"github.com/stretchr/testify/assert":  set("Equal", "Equalf", "EqualValues", "EqualValuesf", "Exactly", "Exactlyf", "NotEqual", "NotEqualf", "Contains", "Containsf", "NotContains", "NotContainsf"),
	"github.com/stretchr/testify/require": set("Equal", "Equalf", "EqualValues", "EqualValuesf", "Exactly", "Exactlyf", "NotEqual", "NotEqualf", "Contains", "Containsf", "NotContains", "NotContainsf"),
	"gotest.tools/v3/assert":              set("Equal", "DeepEqual"),
	"gotest.tools/assert":                 set("Equal", "DeepEqual"),
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// sink returns the first place in the function that compares the
// output, and how.
func (t *taint) sink() (token.Pos, string) {
	pos, how := token.NoPos, ""
	ast.Inspect(t.fn, func(n ast.Node) bool {
		if pos.IsValid() {
			return false
		}
		switch n := n.(type) {
		case *ast.BinaryExpr:
			switch n.Op {
			case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
				if (t.has(n.X) && !t.empty(n.Y)) || (t.has(n.Y) && !t.empty(n.X)) {
					pos, how = n.OpPos, "compared with "+n.Op.String()
				}
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && t.has(n.Tag) {
				pos, how = n.Pos(), "compared by a switch"
			}
		case *ast.AssignStmt:
			// f, err := os.Create("testdata/x.golden") for a writer
			// the output goes to.
			if len(n.Rhs) != 1 || len(n.Lhs) == 0 {
				return true
			}
			id, _ := n.Lhs[0].(*ast.Ident)
			c, _ := n.Rhs[0].(*ast.CallExpr)
			if id == nil || c == nil || len(c.Args) == 0 || !t.vars[t.info.ObjectOf(id)] {
				return true
			}
			if fn, _ := typeutil.Callee(t.info, c).(*types.Func); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "os" &&
				(fn.Name() == "Create" || fn.Name() == "OpenFile") && mentionsGolden(t.info, c.Args[0]) {
				pos, how = n.Pos(), "written to a golden file"
			}
		case *ast.CallExpr:
			fn, _ := typeutil.Callee(t.info, n).(*types.Func)
			if fn == nil || fn.Pkg() == nil {
				return true
			}
			tainted := false
			for _, a := range n.Args {
				tainted = tainted || t.has(a)
			}
			if !tainted {
				return true
			}
			path, name := fn.Pkg().Path(), fn.Name()
			low := strings.ToLower(path + "." + name)
			switch {
			case outputSinks[path][name]:
				pos, how = n.Pos(), "compared by "+fn.Pkg().Name()+"."+name
			case (path == "os" || path == "io/ioutil") && name == "WriteFile" && len(n.Args) > 0 && mentionsGolden(t.info, n.Args[0]):
				pos, how = n.Pos(), "written to a golden file"
			case strings.Contains(low, "golden") || strings.Contains(low, "goldie") || strings.Contains(low, "snapshot"):
				pos, how = n.Pos(), "checked against a golden file by "+fn.Pkg().Name()+"."+name
			}
		}
		return true
	})
	return pos, how
}

// empty reports whether e is nil, "" or 0: emptiness checks do not
// depend on the format.
func (t *taint) empty(e ast.Expr) bool {
	tv, ok := t.info.Types[e]
	if !ok {
		return false
	}
	if tv.IsNil() {
		return true
	}
	if tv.Value == nil {
		return false
	}
	switch tv.Value.Kind() {
	case constant.String:
		return constant.StringVal(tv.Value) == ""
	case constant.Int:
		return constant.Sign(tv.Value) == 0
	}
	return false
}

// mentionsGolden reports whether a string constant in e names a golden
// file or a testdata directory.
func mentionsGolden(info *types.Info, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if x, ok := n.(ast.Expr); ok {
			if tv, ok := info.Types[x]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
				s := strings.ToLower(constant.StringVal(tv.Value))
				found = found || strings.Contains(s, "golden") || strings.Contains(s, "testdata")
			}
		}
		return !found
	})
	return found
}

// warnOutput puts a warning on every Marshaler call the rule rewrites:
// protojson does not print what jsonpb printed (output_format.go).
func (j *jsonpbPass) warnOutput() {
	if j.blocked["Marshaler"] {
		return
	}
	j.p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil)}, func(n dst.Node) bool {
		if c, ok := n.(*dst.CallExpr); ok && j.p.Ast(c) != nil {
			if f := j.p.Callee(c); rule.IsMethod(f, v1Jsonpb, "Marshaler", "Marshal") || rule.IsMethod(f, v1Jsonpb, "Marshaler", "MarshalToString") {
				j.p.Report(c, change.Review, jsonOutputMsg, "")
			}
		}
		return true
	})
}
