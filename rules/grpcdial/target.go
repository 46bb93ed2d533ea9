package grpcdial

import (
	"go/ast"
	"go/constant"
	"go/token"
	"net/url"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/rule"
)

// builtinSchemes are the resolvers grpc-go registers itself, so a target
// naming one resolves the same way under Dial and NewClient.
var builtinSchemes = map[string]bool{"dns": true, "unix": true, "unix-abstract": true, "passthrough": true}

type targetPlan int

const (
	targetKeep    targetPlan = iota // scheme resolved alike by both
	targetPrefix                    // constant without a registered scheme
	targetRuntime                   // decided when the program runs
)

// planTarget decides how NewClient gets Dial's resolver for target e.
// Dial used "passthrough" unless the target's URL scheme has a registered
// resolver; NewClient uses "dns" in that case (spec C.1 Dial (1)).
func (r *dialRun) planTarget(e dst.Expr) (targetPlan, string) {
	a, ok := r.p.Ast(e).(ast.Expr)
	if !ok {
		return targetRuntime, ""
	}
	tv := r.p.Info().Types[a]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		if r.hostPort(a) {
			return targetPrefix, ""
		}
		return targetRuntime, ""
	}
	return planString(constant.StringVal(tv.Value))
}

// planString plans a constant target.
func planString(s string) (targetPlan, string) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return targetPrefix, s
	}
	if builtinSchemes[u.Scheme] {
		return targetKeep, s
	}
	// "localhost:50051" parses as scheme "localhost": a host and port.
	if u.Opaque != "" && strings.Trim(u.Opaque, "0123456789") == "" {
		return targetPrefix, s
	}
	return targetRuntime, s
}

// newTarget builds the target expression NewClient gets.
func (r *dialRun) newTarget(plan targetPlan, e dst.Expr, val string) dst.Expr {
	switch plan {
	case targetPrefix:
		if lit, ok := e.(*dst.BasicLit); ok && lit.Kind == token.STRING {
			return &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote("passthrough:///" + val)}
		}
		if c, ok := e.(*dst.CallExpr); ok && len(c.Args) > 0 && rule.IsPkgFunc(r.p.Callee(c), "fmt", "Sprintf") {
			if lit, ok := c.Args[0].(*dst.BasicLit); ok && lit.Kind == token.STRING {
				if f, err := strconv.Unquote(lit.Value); err == nil {
					// fmt.Sprintf("passthrough:///%s:%d", host, port)
					c.Args[0] = &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote("passthrough:///" + f), Decs: lit.Decs}
					return e
				}
			}
		}
		if b, ok := e.(*dst.BinaryExpr); ok && b.Op == token.ADD {
			// host + ":" + port: prefix the leftmost operand, no parentheses.
			for {
				x, ok := b.X.(*dst.BinaryExpr)
				if !ok || x.Op != token.ADD {
					break
				}
				b = x
			}
			b.X = passthroughPlus(b.X)
			return e
		}
		return passthroughPlus(e)
	case targetRuntime:
		if name := r.p.Helper(dialTargetHelper); name != "" {
			return rule.Call(dst.NewIdent(name), e)
		}
		return runtimeTarget(e)
	}
	return e
}

// passthroughPlus builds "passthrough:///"+e. The line break and comments
// before e move in front of the whole sum, so a target on a line of its
// own stays one line.
func passthroughPlus(e dst.Expr) dst.Expr {
	b := &dst.BinaryExpr{X: &dst.BasicLit{Kind: token.STRING, Value: `"passthrough:///"`}, Op: token.ADD, Y: e}
	d := e.Decorations()
	b.Decs.Before, b.Decs.Start = d.Before, d.Start
	d.Before, d.Start = dst.None, nil
	return b
}

// runtimeTarget wraps a target whose scheme is only known at run time in
// the same test Dial makes: keep it when its URL scheme has a registered
// resolver, otherwise prefix Dial's default scheme. That default is
// resolver.GetDefaultScheme(): "passthrough" unless the program called
// resolver.SetDefaultScheme, which Dial honoured too.
//
//	func(target string) string {
//		if u, err := url.Parse(target); err == nil && resolver.Get(u.Scheme) != nil {
//			return target
//		}
//		return resolver.GetDefaultScheme() + ":///" + target
//	}(target)
func runtimeTarget(e dst.Expr) dst.Expr {
	// The parameter only shadows inside the literal; "target" reads better
	// than "t", which in tests hides *testing.T.
	t := func() *dst.Ident { return dst.NewIdent("target") }
	cond := &dst.BinaryExpr{
		X:  rule.IsNil(dst.NewIdent("err")),
		Op: token.LAND,
		Y:  rule.NotNil(rule.Call(rule.QualifiedIdent("google.golang.org/grpc/resolver", "Get"), rule.Sel(dst.NewIdent("u"), "Scheme"))),
	}
	ifs := &dst.IfStmt{
		Init: rule.DefineStmt(rule.Exprs(dst.NewIdent("u"), dst.NewIdent("err")), rule.Call(rule.QualifiedIdent("net/url", "Parse"), t())),
		Cond: cond,
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{t()}}}},
	}
	def := &dst.BinaryExpr{X: rule.Call(rule.QualifiedIdent("google.golang.org/grpc/resolver", "GetDefaultScheme")), Op: token.ADD, Y: &dst.BasicLit{Kind: token.STRING, Value: `":///"`}}
	ret := &dst.ReturnStmt{Results: []dst.Expr{&dst.BinaryExpr{X: def, Op: token.ADD, Y: t()}}}
	str := func() *dst.Ident { return dst.NewIdent("string") }
	fn := &dst.FuncLit{
		Type: &dst.FuncType{
			Params:  &dst.FieldList{List: []*dst.Field{{Names: []*dst.Ident{t()}, Type: str()}}},
			Results: &dst.FieldList{List: []*dst.Field{{Type: str()}}},
		},
		Body: &dst.BlockStmt{List: []dst.Stmt{ifs, ret}},
	}
	return rule.Call(fn, e)
}
