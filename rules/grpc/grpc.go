// Package grpc holds protolift's rules for deprecated grpc-go APIs (spec
// section C), other than dialing, the blocking dial options and generated
// server code, which live in their own packages.
package grpc

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/rule"
)

const (
	grpcModule   = "google.golang.org/grpc"
	grpcPath     = "google.golang.org/grpc"
	statusPath   = "google.golang.org/grpc/status"
	codesPath    = "google.golang.org/grpc/codes"
	insecurePath = "google.golang.org/grpc/credentials/insecure"
	credsPath    = "google.golang.org/grpc/credentials"
	oauthPath    = "google.golang.org/grpc/credentials/oauth"
	backoffPath  = "google.golang.org/grpc/backoff"
	encodingPath = "google.golang.org/grpc/encoding"
	gzipPath     = "google.golang.org/grpc/encoding/gzip"
	metadataPath = "google.golang.org/grpc/metadata"
	grpclogPath  = "google.golang.org/grpc/grpclog"
	resolverPath = "google.golang.org/grpc/resolver"
	dnsPath      = "google.golang.org/grpc/resolver/dns"
	balancerPath = "google.golang.org/grpc/balancer"
	basePath     = "google.golang.org/grpc/balancer/base"
	statsPath    = "google.golang.org/grpc/stats"
	oauth2Path   = "golang.org/x/oauth2"
	timePath     = "time"
)

// cursor is a dstutil cursor that remembers what a handler did to the
// node, because dstutil walks a replaced node's old children and does
// not walk its replacement.
type cursor struct {
	*dstutil.Cursor
	replaced dst.Node
	deleted  bool
}

// Replace swaps the node under the cursor for n.
func (c *cursor) Replace(n dst.Node) {
	c.Cursor.Replace(n)
	c.replaced = n
}

// Delete removes the node under the cursor from its list.
func (c *cursor) Delete() {
	c.Cursor.Delete()
	c.deleted = true
}

// walk visits every node of the file before its children. A handler may
// replace the node (the walk then continues into the replacement, so
// patterns nested in moved arguments are still found) or delete it from
// the list that holds it.
func walk(p *rule.Pass, visit func(c *cursor) bool) {
	var pre func(dc *dstutil.Cursor) bool
	pre = func(dc *dstutil.Cursor) bool {
		c := &cursor{Cursor: dc}
		if !visit(c) || c.deleted {
			return false
		}
		if c.replaced != nil {
			dstutil.Apply(c.replaced, pre, nil)
			return false
		}
		return true
	}
	dstutil.Apply(p.File, pre, nil)
}

// isPkgObj reports whether id refers to the package-level object
// path.name of any kind (func, var, type, const).
func isPkgObj(p *rule.Pass, id *dst.Ident, path, name string) bool {
	o := p.ObjectOf(id)
	if o == nil || o.Pkg() == nil || o.Pkg().Path() != path || o.Name() != name {
		return false
	}
	return o.Parent() == o.Pkg().Scope()
}

// refIdent returns the identifier the cursor is on when it is a reference
// to an imported name (pkg.Name or a dot-imported Name).
func refIdent(c *cursor) *dst.Ident {
	id, ok := c.Node().(*dst.Ident)
	if !ok || id.Path == "" {
		return nil
	}
	return id
}

// isCallFun reports whether the cursor is on the function of a call:
// those references are handled by the call patterns, not as values.
func isCallFun(c *cursor) bool {
	_, ok := c.Parent().(*dst.CallExpr)
	return ok && c.Name() == "Fun"
}

// calleeIs reports whether call statically calls path.name.
func calleeIs(p *rule.Pass, call *dst.CallExpr, path, name string) bool {
	return rule.IsPkgFunc(p.Callee(call), path, name)
}

// rename points a reference at another package-level name with the same
// type, so calls and function values move alike.
func rename(id *dst.Ident, path, name string) {
	id.Path, id.Name = path, name
}

// replace swaps the node under the cursor for n, keeping the comments
// written around the old one.
func replace(c *cursor, n dst.Node) {
	rule.MoveDecs(c.Node(), n)
	if from, ok := c.Node().(*dst.CallExpr); ok {
		if to, ok := n.(*dst.CallExpr); ok {
			// Comments inside empty parentheses live on the call itself.
			to.Decs.Fun = append(to.Decs.Fun, from.Decs.Fun...)
			to.Decs.Lparen = append(to.Decs.Lparen, from.Decs.Lparen...)
		}
	}
	c.Replace(n)
}

// not negates a boolean expression, folding literals and double negation
// so FailFast(false) reads WaitForReady(true), not WaitForReady(!false).
func not(p *rule.Pass, e dst.Expr) dst.Expr {
	switch x := e.(type) {
	case *dst.Ident:
		if x.Path == "" && (x.Name == "true" || x.Name == "false") {
			if o, ok := p.ObjectOf(x).(*types.Const); ok && o.Pkg() == nil {
				neg := &dst.Ident{Name: "true"}
				if x.Name == "true" {
					neg.Name = "false"
				}
				rule.MoveDecs(x, neg)
				return neg
			}
		}
	case *dst.UnaryExpr:
		if x.Op == token.NOT {
			inner := x.X
			if pe, ok := inner.(*dst.ParenExpr); ok {
				inner = pe.X
			}
			rule.MoveDecs(x, inner)
			return inner
		}
	case *dst.ParenExpr:
		return &dst.UnaryExpr{Op: token.NOT, X: x}
	case *dst.BinaryExpr:
		return &dst.UnaryExpr{Op: token.NOT, X: &dst.ParenExpr{X: x}}
	}
	return &dst.UnaryExpr{Op: token.NOT, X: e}
}

// deleteOption removes a no-op option expression of type grpc.<typ>. In
// a variadic argument list or a slice literal of that option type it is
// deleted, its comments moving to a neighbour, and so it is among other
// elements appended to a slice of that type; anywhere else (a variable, a
// lone appended element, a return, a ...any list) it becomes Empty<typ>{},
// the documented no-op, converted to the option type where it would
// otherwise give a new variable a different type.
func deleteOption(p *rule.Pass, c *cursor, typ string) {
	n := c.Node().(dst.Expr)
	if c.Index() >= 0 {
		var list []dst.Expr
		switch parent := c.Parent().(type) {
		case *dst.CallExpr:
			f := p.Callee(parent)
			sig, _ := types.Unalias(typeOfFunc(f)).(*types.Signature)
			if sig != nil && sig.Variadic() && !parent.Ellipsis && c.Index() >= sig.Params().Len()-1 && isOptionSlice(sig.Params().At(sig.Params().Len()-1).Type(), typ) {
				list = parent.Args
			}
			// append(opts, a, b) keeps appending when one element goes;
			// with none left, append(opts) would read as a mistake, so
			// a lone element still becomes the no-op option.
			if isAppend(p, parent) && !parent.Ellipsis && c.Index() >= 1 && len(parent.Args) > 2 && isOptionSlice(p.TypeOf(parent.Args[0]), typ) {
				list = parent.Args
			}
		case *dst.CompositeLit:
			if isOptionSlice(p.TypeOf(parent), typ) {
				list = parent.Elts
			}
		}
		if list != nil {
			moveToNeighbour(n, c.Parent(), list, c.Index())
			c.Delete()
			return
		}
	}
	var e dst.Expr = &dst.CompositeLit{Type: rule.QualifiedIdent(grpcPath, "Empty"+typ)}
	if untypedInit(c) {
		e = rule.Call(rule.QualifiedIdent(grpcPath, typ), e)
	}
	replace(c, e)
}

// isAppend reports whether call calls the append builtin.
func isAppend(p *rule.Pass, call *dst.CallExpr) bool {
	id, ok := call.Fun.(*dst.Ident)
	if !ok || id.Path != "" {
		return false
	}
	b, ok := p.ObjectOf(id).(*types.Builtin)
	return ok && b.Name() == "append"
}

// isOptionSlice reports whether t is a slice of grpc.<typ>.
func isOptionSlice(t types.Type, typ string) bool {
	if t == nil {
		return false
	}
	s, ok := t.Underlying().(*types.Slice)
	return ok && rule.IsNamed(s.Elem(), grpcPath, typ)
}

func typeOfFunc(f *types.Func) types.Type {
	if f == nil {
		return nil
	}
	return f.Type()
}

// moveToNeighbour hands the comments of list[i] to the element after it,
// or before it when it is the last one, or to the inside of the enclosing
// parentheses or braces when it was alone.
func moveToNeighbour(n dst.Expr, parent dst.Node, list []dst.Expr, i int) {
	d := n.Decorations()
	if len(d.Start) == 0 && len(d.End) == 0 {
		return
	}
	comments := append(append(dst.Decorations{}, d.Start...), d.End...)
	switch {
	case i+1 < len(list):
		nd := list[i+1].Decorations()
		nd.Start = append(comments, nd.Start...)
	case i > 0:
		pd := list[i-1].Decorations()
		pd.End = append(pd.End, comments...)
	default:
		switch x := parent.(type) {
		case *dst.CallExpr:
			x.Decs.Lparen = append(x.Decs.Lparen, comments...)
		case *dst.CompositeLit:
			x.Decs.Lbrace = append(x.Decs.Lbrace, comments...)
		}
	}
}
