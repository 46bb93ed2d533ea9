package rule

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
)

// SideEffectFree is the one answer every rule gives to "may this
// expression be evaluated again, later, or not at all, without a
// difference the program can observe?" — the question behind reading a
// message twice for a HasExtension guard, moving an argument into a
// method receiver used twice (AsTime and CheckValid), deferring an
// options expression, or deleting a no-op option's argument. The same
// shape gets the same answer in every rule.
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
// A run-time panic (a nil dereference, a failed type assertion, an index
// out of range) is not counted as an effect: the program still panics on
// the same values, and `x.(T).D` is treated like `x.D` (a nil x panics
// there too).
func (p *Pass) SideEffectFree(e dst.Expr) bool { return sideEffectFree(p, e) }

// IsPure is SideEffectFree without type information, for callers that
// have no Pass: conversions and named constants are not recognised, so
// it answers "no" where SideEffectFree may say "yes", never the reverse.
// Rules should call p.SideEffectFree.
func IsPure(e dst.Expr) bool { return sideEffectFree(nil, e) }

func sideEffectFree(p *Pass, e dst.Expr) bool {
	if e == nil {
		return false
	}
	if p != nil {
		if a, ok := p.Ast(e).(ast.Expr); ok {
			if tv, ok := p.Info().Types[a]; ok && (tv.Value != nil || tv.IsType()) {
				return true
			}
		}
	}
	free := func(es ...dst.Expr) bool {
		for _, x := range es {
			if x != nil && !sideEffectFree(p, x) {
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
		if p != nil && len(e.Args) == 1 {
			// A conversion T(x).
			if a, ok := p.Ast(e.Fun).(ast.Expr); ok && p.Info().Types[a].IsType() {
				return free(e.Args[0])
			}
		}
		if id, ok := e.Fun.(*dst.Ident); ok && isBuiltin(p, id) {
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

// isBuiltin reports whether id names the predeclared function of its
// name: by its object where the type checker saw it, by spelling for an
// identifier a rule built.
func isBuiltin(p *Pass, id *dst.Ident) bool {
	if id.Path != "" {
		return false
	}
	if p != nil {
		if o := p.ObjectOf(id); o != nil {
			_, ok := o.(*types.Builtin)
			return ok
		}
		if p.Ast(id) != nil {
			return false
		}
	}
	return types.Universe.Lookup(id.Name) != nil
}
