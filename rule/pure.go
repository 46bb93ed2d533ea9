package rule

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// SideEffectFree is the one answer every rule gives to "may this
// expression be evaluated again, later, or not at all, without a
// difference the program can observe?" — the question behind reading a
// message twice for a HasExtension guard, moving an argument into a
// method receiver used twice (AsTime and CheckValid), evaluating a writer
// or message after marshalling or reading, deferring an options
// expression, or deleting a no-op option's argument. The same shape gets
// the same answer in every rule, on rewritten syntax (this method) and on
// original syntax (SideEffectFreeAst).
//
// Free of side effects are: constants and literals; names (variables,
// functions, types, package members); field and method selections,
// dereferences, index and slice expressions, type assertions, and unary
// (except receive) and binary operations of such operands; the address of
// one; conversions of one (with type information); function literals;
// composite literals, new(T), len, cap, min and max of free operands (an
// allocation of equal content counts as the same value); and
// argument-less Get* methods of a free receiver (generated getters never
// have side effects). Any other call, a channel receive and anything
// unknown is not.
//
// The two uses get one answer, and the difference is only in panics:
//
//   - Evaluated again (the value read twice): the second evaluation sees
//     the same operands, so it yields the same value, and it panics only
//     where the first already did.
//   - Evaluated later, or not at all (moved after a call, or dropped with
//     a no-op option): a run-time panic — a nil dereference, a failed type
//     assertion x.(T), an index out of range — moves or disappears with
//     the expression. It is not counted as an effect: it happens only in a
//     program that already crashes there, and x.(T).D is treated like x.D,
//     which panics the same way for a nil x. What a free expression cannot
//     do is write a variable, call unknown code or communicate, so the
//     value is the same wherever it is read, as long as the code in
//     between does not assign its operands (which the callers check where
//     it matters).
func (p *Pass) SideEffectFree(e dst.Expr) bool {
	return purity{info: p.Info(), ast: p.Ast}.free(e)
}

// SideEffectFreeAst is SideEffectFree for original go/ast syntax, for
// analyses that read files of the package as they were loaded (another
// file than the pass's, or a node an earlier rule already replaced).
// fset is the package's file set and info its type information (nil:
// conversions and named constants are not recognised, so the answer is
// "no" where SideEffectFree may say "yes", never the reverse).
func SideEffectFreeAst(fset *token.FileSet, info *types.Info, e ast.Expr) bool {
	if e == nil {
		return false
	}
	d := decorator.NewDecorator(fset)
	n, err := d.DecorateNode(e)
	if err != nil {
		return false
	}
	x, ok := n.(dst.Expr)
	if !ok {
		return false
	}
	return purity{info: info, ast: func(n dst.Node) ast.Node { return d.Ast.Nodes[n] }}.free(x)
}

// purity is the analysis behind SideEffectFree: info and ast give the
// type information of original nodes (both nil-safe: a node a rule built
// has none).
type purity struct {
	info *types.Info
	ast  func(dst.Node) ast.Node
}

func (pu purity) free(e dst.Expr) bool {
	if e == nil {
		return false
	}
	if tv, ok := pu.typeAndValue(e); ok && (tv.Value != nil || tv.IsType()) {
		return true
	}
	free := func(es ...dst.Expr) bool {
		for _, x := range es {
			if x != nil && !pu.free(x) {
				return false
			}
		}
		return true
	}
	switch e := e.(type) {
	case *dst.BasicLit, *dst.Ident, *dst.FuncLit:
		return true
	case *dst.SelectorExpr:
		return free(e.X)
	case *dst.ParenExpr:
		return free(e.X)
	case *dst.StarExpr:
		return free(e.X)
	case *dst.TypeAssertExpr:
		return e.Type != nil && free(e.X)
	case *dst.IndexExpr:
		return free(e.X, e.Index)
	case *dst.IndexListExpr:
		return free(e.X) // a generic instantiation: the indices are types
	case *dst.SliceExpr:
		return free(e.X, e.Low, e.High, e.Max)
	case *dst.UnaryExpr:
		return e.Op != token.ARROW && free(e.X)
	case *dst.BinaryExpr:
		return free(e.X, e.Y)
	case *dst.KeyValueExpr:
		return free(e.Key, e.Value)
	case *dst.CompositeLit:
		return free(e.Elts...)
	case *dst.CallExpr:
		if e.Ellipsis {
			return false
		}
		if tv, ok := pu.typeAndValue(e.Fun); ok && tv.IsType() && len(e.Args) == 1 {
			return free(e.Args[0]) // a conversion T(x)
		}
		if id, ok := e.Fun.(*dst.Ident); ok && pu.isBuiltin(id) {
			switch id.Name {
			case "new":
				return len(e.Args) == 1
			case "len", "cap", "min", "max":
				return free(e.Args...)
			}
			return false
		}
		sel, ok := e.Fun.(*dst.SelectorExpr)
		return ok && len(e.Args) == 0 && strings.HasPrefix(sel.Sel.Name, "Get") && free(sel.X)
	}
	return false
}

// typeAndValue returns what the type checker recorded for the original
// expression e was decorated from.
func (pu purity) typeAndValue(e dst.Expr) (types.TypeAndValue, bool) {
	if pu.info == nil || pu.ast == nil {
		return types.TypeAndValue{}, false
	}
	a, ok := pu.ast(e).(ast.Expr)
	if !ok {
		return types.TypeAndValue{}, false
	}
	tv, ok := pu.info.Types[a]
	return tv, ok
}

// isBuiltin reports whether id names the predeclared function of its
// name: by its object where the type checker saw it, by spelling for an
// identifier a rule built.
func (pu purity) isBuiltin(id *dst.Ident) bool {
	if id.Path != "" {
		return false
	}
	if pu.ast != nil {
		if a := pu.ast(id); a != nil {
			o := objectOf(pu.info, a)
			_, ok := o.(*types.Builtin)
			return ok || (o == nil && pu.info == nil && types.Universe.Lookup(id.Name) != nil)
		}
	}
	return types.Universe.Lookup(id.Name) != nil
}
