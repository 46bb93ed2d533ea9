package grpcdial

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/protolift/protolift/rule"
)

const (
	grpcPath   = "google.golang.org/grpc"
	grpcModule = "google.golang.org/grpc"
	// minNewClient is the first grpc-go release with NewClient.
	minNewClient = "v1.63.0"
	// minContextDialer is the first release with WithContextDialer.
	minContextDialer = "v1.19.0"
)

type optKind int

const (
	optNeutral optKind = iota
	optBlock
	optReturnErr
	optTimeout
	optFailNonTemp
	optUnknown
)

// option is one dial option as it reaches Dial, wherever it was written.
type option struct {
	expr        dst.Expr
	kind        optKind
	conditional bool // appended in a branch: present only on some paths
	remove      func()
}

// funcCtx is what the rule knows about the function around a Dial call:
// its body, and the file as the rule found it, to trace option slices
// inside that body.
type funcCtx struct {
	body *dst.BlockStmt
	in   *rule.Inspector
}

// funcOf returns the function body holding n in the snapshot in, or nil
// outside functions.
func funcOf(in *rule.Inspector, n dst.Node) *funcCtx {
	if _, body := in.EnclosingFunc(n); body != nil {
		return &funcCtx{body: body, in: in}
	}
	return nil
}

// classify says what one option expression does to a dial.
func (r *dialRun) classify(e dst.Expr, fc *funcCtx) (optKind, string) {
	p := r.p
	switch e := e.(type) {
	case *dst.CallExpr:
		return r.classifyCallee(p.Callee(e))
	case *dst.Ident:
		v, ok := p.ObjectOf(e).(*types.Var)
		if ok && v.Parent() == v.Pkg().Scope() {
			return r.classifyPkgVar(v)
		}
		if !ok || fc == nil {
			return optUnknown, "option " + e.Name + " is not a local variable"
		}
		def := r.singleDef(v, fc)
		if def == nil {
			return optUnknown, "option variable " + e.Name + " is not assigned exactly once in this function"
		}
		k, why := r.classify(def, fc)
		if k != optNeutral && k != optUnknown {
			return optUnknown, "option variable " + e.Name + " holds a blocking option; pass it to Dial directly"
		}
		return k, why
	}
	return optUnknown, "an option is an expression protolift cannot evaluate statically"
}

func (r *dialRun) classifyCallee(f *types.Func) (optKind, string) {
	switch {
	case rule.IsPkgFunc(f, grpcPath, "WithBlock"):
		return optBlock, ""
	case rule.IsPkgFunc(f, grpcPath, "WithReturnConnectionError"):
		return optReturnErr, ""
	case rule.IsPkgFunc(f, grpcPath, "WithTimeout"):
		return optTimeout, ""
	case rule.IsPkgFunc(f, grpcPath, "FailOnNonTempDialError"):
		return optFailNonTemp, ""
	case f == nil:
		return optUnknown, "an option comes from a call through a function value"
	case r.ownModule(f.Pkg()):
		return optUnknown, "option " + f.Name() + "() is built by this module's own code, which may add WithBlock or WithTimeout"
	}
	return optNeutral, ""
}

// classifyPkgVar follows a package-level option variable to its
// initializer when nothing in the package assigns it again.
func (r *dialRun) classifyPkgVar(v *types.Var) (optKind, string) {
	info := r.p.Info()
	var init ast.Expr
	writes := 0
	r.p.PkgAstInspector().Preorder([]ast.Node{(*ast.ValueSpec)(nil), (*ast.AssignStmt)(nil), (*ast.UnaryExpr)(nil)}, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if info.Defs[id] == v && len(n.Values) == len(n.Names) {
					init = n.Values[i]
				}
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok && info.Uses[id] == v {
					writes++
				}
			}
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && info.Uses[id] == v {
				writes++
			}
		}
	})
	call, ok := ast.Unparen(init).(*ast.CallExpr)
	if writes > 0 || !ok {
		return optUnknown, "option variable " + v.Name() + " is not set once by a call protolift can see"
	}
	k, why := r.classifyCallee(typeutil.StaticCallee(info, call))
	if k != optNeutral && k != optUnknown {
		return optUnknown, "option variable " + v.Name() + " holds a blocking option; pass it to Dial directly"
	}
	return k, why
}

func (r *dialRun) ownModule(pkg *types.Package) bool {
	m := r.p.Pkg.Module
	if pkg == nil || m == nil {
		return false
	}
	return pkg.Path() == m.Path || strings.HasPrefix(pkg.Path(), m.Path+"/")
}

// singleDef returns the value of `v := x` when that is the only write to
// v in the function and v is otherwise only read.
func (r *dialRun) singleDef(v *types.Var, fc *funcCtx) dst.Expr {
	var def dst.Expr
	writes := 0
	dst.Inspect(fc.body, func(n dst.Node) bool {
		as, ok := n.(*dst.AssignStmt)
		if ok {
			for i, l := range as.Lhs {
				if id, ok := l.(*dst.Ident); ok && r.p.ObjectOf(id) == v {
					writes++
					if as.Tok == token.DEFINE && len(as.Lhs) == len(as.Rhs) {
						def = as.Rhs[i]
					}
				}
			}
		}
		if u, ok := n.(*dst.UnaryExpr); ok && u.Op == token.AND {
			if id, ok := u.X.(*dst.Ident); ok && r.p.ObjectOf(id) == v {
				writes += 2
			}
		}
		return true
	})
	if writes != 1 {
		return nil
	}
	return def
}

// options lists the options of a Dial call (args after the target),
// following a spread slice to its literal and appends in this function.
// It returns false with the reason when the set cannot be known.
func (r *dialRun) options(call *dst.CallExpr, first int, fc *funcCtx) ([]*option, string, bool) {
	var out []*option
	args := call.Args[first:]
	for i, a := range args {
		if call.Ellipsis && i == len(args)-1 {
			sl, why, ok := r.sliceOptions(call, a, fc)
			if !ok {
				return nil, why, false
			}
			out = append(out, sl...)
			continue
		}
		k, why := r.classify(a, fc)
		if k == optUnknown {
			return nil, why, false
		}
		a := a
		out = append(out, &option{expr: a, kind: k, remove: func() { removeArg(&call.Args, a) }})
	}
	return out, "", true
}

// sliceOptions resolves `opts...` where opts is a local slice built by a
// literal and appends in the function, used by nothing but this call.
func (r *dialRun) sliceOptions(call *dst.CallExpr, e dst.Expr, fc *funcCtx) ([]*option, string, bool) {
	p := r.p
	id, ok := e.(*dst.Ident)
	if !ok || fc == nil {
		return nil, "the options are passed as a slice expression protolift cannot follow; build the slice in this function or pass the options directly", false
	}
	v, ok := p.ObjectOf(id).(*types.Var)
	if !ok || !r.declaredIn(v, fc) {
		return nil, "the options come from slice " + id.Name + " built outside this function, so whether the dial blocks is unknown; pass the options directly or build the slice here", false
	}
	home := fc.in.HomeBlock(call)
	var out []*option
	why := ""
	dst.Inspect(fc.body, func(n dst.Node) bool {
		ref, ok := n.(*dst.Ident)
		if !ok || why != "" || p.ObjectOf(ref) != v || ref == id {
			return true
		}
		par := fc.in.Parent(ref)
		var stmt dst.Stmt
		var elems *[]dst.Expr
		switch par := par.(type) {
		case *dst.AssignStmt:
			if len(par.Lhs) != 1 || len(par.Rhs) != 1 || par.Lhs[0] != ref {
				why = "slice " + id.Name + " is assigned in a form protolift cannot follow"
				return false
			}
			stmt = par
			switch rhs := par.Rhs[0].(type) {
			case *dst.CompositeLit:
				if par.Tok != token.DEFINE {
					why = "slice " + id.Name + " is reassigned"
					return false
				}
				elems = &rhs.Elts
			case *dst.CallExpr:
				b, isAppend := rhs.Fun.(*dst.Ident)
				if !isAppend || b.Name != "append" || p.ObjectOf(b) != types.Universe.Lookup("append") || rhs.Ellipsis || len(rhs.Args) == 0 {
					why = "slice " + id.Name + " is assigned from something other than a literal or append"
					return false
				}
				if a0, ok := rhs.Args[0].(*dst.Ident); !ok || p.ObjectOf(a0) != v {
					why = "slice " + id.Name + " is appended to from another slice"
					return false
				}
				// The slice itself is Args[0]; elements follow.
				args := &rhs.Args
				cond := fc.in.HomeBlock(par) != home
				for _, el := range (*args)[1:] {
					k, w := r.classify(el, fc)
					if k == optUnknown {
						why = w
						return false
					}
					el := el
					out = append(out, &option{expr: el, kind: k, conditional: cond, remove: func() {
						removeArg(args, el)
						if len(*args) == 1 {
							r.deleteStmt[stmt] = true
						}
					}})
				}
				return false
			default:
				why = "slice " + id.Name + " is assigned from something other than a literal or append"
				return false
			}
		case *dst.CallExpr:
			// Args[0] of an append already handled via its assignment.
			if b, ok := par.Fun.(*dst.Ident); ok && b.Name == "append" && len(par.Args) > 0 && par.Args[0] == ref {
				if as, ok := fc.in.Parent(par).(*dst.AssignStmt); ok && len(as.Lhs) == 1 {
					if l, ok := as.Lhs[0].(*dst.Ident); ok && p.ObjectOf(l) == v {
						return true
					}
				}
			}
			why = "slice " + id.Name + " is also used by another call, so its options cannot be changed for this dial alone"
			return false
		case *dst.ValueSpec:
			if len(par.Names) != 1 {
				why = "slice " + id.Name + " is declared in a form protolift cannot follow"
				return false
			}
			stmt, _ = fc.in.Parent(fc.in.Parent(par)).(dst.Stmt)
			if len(par.Values) == 1 {
				cl, ok := par.Values[0].(*dst.CompositeLit)
				if !ok {
					why = "slice " + id.Name + " is declared from something other than a literal"
					return false
				}
				elems = &cl.Elts
			}
		default:
			why = "slice " + id.Name + " is used in a way protolift cannot follow"
			return false
		}
		if elems != nil {
			cond := fc.in.HomeBlock(stmt) != home
			for _, el := range *elems {
				k, w := r.classify(el, fc)
				if k == optUnknown {
					why = w
					return false
				}
				el := el
				out = append(out, &option{expr: el, kind: k, conditional: cond, remove: func() { removeArg(elems, el) }})
			}
		}
		return true
	})
	if why != "" {
		return nil, why + "; whether the dial blocks is unknown, so it is left for you", false
	}
	return out, "", true
}

func (r *dialRun) declaredIn(v *types.Var, fc *funcCtx) bool {
	b, ok := r.p.Ast(fc.body).(*ast.BlockStmt)
	return ok && v.Pos() >= b.Pos() && v.Pos() < b.End()
}

// removeArg deletes e from list, handing its comments to a neighbour so
// nothing a person wrote disappears.
func removeArg(list *[]dst.Expr, e dst.Expr) {
	for i, x := range *list {
		if x != e {
			continue
		}
		d := e.Decorations()
		if len(d.Start)+len(d.End) > 0 {
			switch {
			case i > 0:
				n := (*list)[i-1].Decorations()
				n.End = append(n.End, d.Start...)
				n.End = append(n.End, d.End...)
			case i+1 < len(*list):
				n := (*list)[i+1].Decorations()
				n.Start = append(append(append(dst.Decorations{}, d.Start...), d.End...), n.Start...)
			}
		}
		if i == len(*list)-1 && i > 0 {
			// A multi-line call keeps its closing parenthesis on its own line.
			(*list)[i-1].Decorations().After = d.After
		}
		*list = append((*list)[:i], (*list)[i+1:]...)
		return
	}
}

// constBool returns the value of a constant boolean expression.
func (r *dialRun) constBool(e dst.Expr) (bool, bool) {
	a, ok := r.p.Ast(e).(ast.Expr)
	if !ok {
		return false, false
	}
	tv := r.p.Info().Types[a]
	if tv.Value == nil || tv.Value.Kind() != constant.Bool {
		return false, false
	}
	return constant.BoolVal(tv.Value), true
}
