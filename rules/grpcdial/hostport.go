package grpcdial

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"
	"regexp"
	"strings"

	"github.com/protolift/protolift/rule"
)

// hostPort reports whether e is statically a host:port (or a path)
// without a URL scheme, which Dial resolved with passthrough: then
// "passthrough:///"+e is exactly Dial's choice and no run-time test is
// needed. Recognised: net.JoinHostPort(…), fmt.Sprintf with a format
// such as "%s:%d" or "localhost:%d", x + ":" + port, a net.Addr's
// String() (l.Addr().String()), and a local variable every assignment of
// which is one of these (its zero value "" included).
func (r *dialRun) hostPort(e ast.Expr) bool {
	return r.hostPortSeen(e, map[*types.Var]bool{})
}

var (
	portPart = regexp.MustCompile(`^(%d|%s|%v|[0-9]+)$`)
	hostPart = regexp.MustCompile(`^(%s|%v|\[?[A-Za-z0-9.\-:]*\]?)$`)
)

func (r *dialRun) hostPortSeen(e ast.Expr, seen map[*types.Var]bool) bool {
	info := r.p.Info()
	e = ast.Unparen(e)
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() != constant.String {
			return false
		}
		plan, _ := planString(constant.StringVal(tv.Value))
		return plan == targetPrefix
	}
	switch e := e.(type) {
	case *ast.CallExpr:
		f, _ := typeutil.Callee(info, e).(*types.Func)
		switch {
		case rule.IsPkgFunc(f, "net", "JoinHostPort"):
			return true
		case rule.IsPkgFunc(f, "fmt", "Sprintf"):
			if len(e.Args) == 0 {
				return false
			}
			tv := info.Types[e.Args[0]]
			if tv.Value == nil || tv.Value.Kind() != constant.String {
				return false
			}
			format := constant.StringVal(tv.Value)
			i := strings.LastIndex(format, ":")
			if i < 0 {
				return false
			}
			host := format[:i]
			return hostPart.MatchString(host) && !builtinSchemes[host] && portPart.MatchString(format[i+1:])
		}
		// x.String() where x is a net.Addr (l.Addr().String()).
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "String" || len(e.Args) != 0 {
			return false
		}
		t := info.TypeOf(sel.X)
		n, ok := t.(*types.Named)
		return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "net" && n.Obj().Name() == "Addr"
	case *ast.BinaryExpr:
		// host + ":" + port, host + ":50051".
		if e.Op != token.ADD {
			return false
		}
		ops := flattenAdd(e)
		for i, op := range ops {
			tv := info.Types[op]
			if i == 0 || tv.Value == nil || tv.Value.Kind() != constant.String {
				continue
			}
			s := constant.StringVal(tv.Value)
			if !strings.HasPrefix(s, ":") || strings.Contains(s, "/") {
				continue
			}
			if i > 0 && allNonConst(info, ops[:i]) {
				return true
			}
		}
		return false
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok || v.Parent() == nil || v.Parent() == v.Pkg().Scope() || v.IsField() {
			return false
		}
		if seen[v] {
			return true
		}
		seen[v] = true
		return r.localHostPort(v, seen)
	}
	return false
}

func flattenAdd(e ast.Expr) []ast.Expr {
	if b, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && b.Op == token.ADD {
		return append(flattenAdd(b.X), flattenAdd(b.Y)...)
	}
	return []ast.Expr{e}
}

func allNonConst(info *types.Info, es []ast.Expr) bool {
	for _, e := range es {
		if info.Types[e].Value != nil {
			return false
		}
	}
	return true
}

// localHostPort reports whether every value the local variable v ever
// gets in this file (its declaration included) is a host:port; taking
// its address or assigning it from a multi-value call gives up.
func (r *dialRun) localHostPort(v *types.Var, seen map[*types.Var]bool) bool {
	info := r.p.Info()
	is := func(id ast.Expr) bool {
		i, ok := ast.Unparen(id).(*ast.Ident)
		return ok && (info.Defs[i] == v || info.Uses[i] == v)
	}
	ok, defined := true, false
	for n := range r.p.AstInspector().PreorderSeq((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.Field)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil)) {
		if !ok {
			break
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if !is(l) {
					continue
				}
				defined = true
				if len(n.Lhs) != len(n.Rhs) || (n.Tok != token.ASSIGN && n.Tok != token.DEFINE) || !r.hostPortSeen(n.Rhs[i], seen) {
					ok = false
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] != v {
					continue
				}
				defined = true
				if len(n.Values) == 0 {
					continue // "" resolves alike under both
				}
				if len(n.Values) != len(n.Names) || !r.hostPortSeen(n.Values[i], seen) {
					ok = false
				}
			}
		case *ast.Field:
			for _, name := range n.Names {
				if info.Defs[name] == v {
					ok = false // a parameter: its value comes from callers
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && is(n.X) {
				ok = false
			}
		case *ast.RangeStmt:
			if is(n.Key) || (n.Value != nil && is(n.Value)) {
				ok = false
			}
		}
	}
	return ok && defined
}
