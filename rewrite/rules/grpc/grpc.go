// Package grpc holds protolift's rules for deprecated grpc-go APIs (spec
// section C), other than dialing, the blocking dial options and generated
// server code, which live in their own packages.
package grpc

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/rewrite/rule"
)

const (
	grpcModule    = "google.golang.org/grpc"
	grpcPath      = "google.golang.org/grpc"
	statusPath    = "google.golang.org/grpc/status"
	codesPath     = "google.golang.org/grpc/codes"
	insecurePath  = "google.golang.org/grpc/credentials/insecure"
	credsPath     = "google.golang.org/grpc/credentials"
	oauthPath     = "google.golang.org/grpc/credentials/oauth"
	backoffPath   = "google.golang.org/grpc/backoff"
	encodingPath  = "google.golang.org/grpc/encoding"
	gzipPath      = "google.golang.org/grpc/encoding/gzip"
	metadataPath  = "google.golang.org/grpc/metadata"
	grpclogPath   = "google.golang.org/grpc/grpclog"
	resolverPath  = "google.golang.org/grpc/resolver"
	dnsPath       = "google.golang.org/grpc/resolver/dns"
	balancerPath  = "google.golang.org/grpc/balancer"
	basePath      = "google.golang.org/grpc/balancer/base"
	statsPath     = "google.golang.org/grpc/stats"
	oauth2Path    = "golang.org/x/oauth2"
	timePath      = "time"
	connectSecond = "20"
)

// walk visits every node of the file before its children. A handler may
// replace the node (the walk then continues into the replacement, so
// patterns nested in moved arguments are still found) or delete it from
// the list that holds it.
func walk(p *rule.Pass, visit func(c *dstutil.Cursor) bool) {
	dstutil.Apply(p.File, visit, nil)
}

// funcOf returns the package-level function or method id refers to.
func funcOf(p *rule.Pass, id *dst.Ident) *types.Func {
	f, _ := p.ObjectOf(id).(*types.Func)
	return f
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
func refIdent(c *dstutil.Cursor) *dst.Ident {
	id, ok := c.Node().(*dst.Ident)
	if !ok || id.Path == "" {
		return nil
	}
	return id
}

// isCallFun reports whether the cursor is on the function of a call:
// those references are handled by the call patterns, not as values.
func isCallFun(c *dstutil.Cursor) bool {
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
func replace(c *dstutil.Cursor, n dst.Node) {
	rule.MoveDecs(c.Node(), n)
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

// isPureOrConst reports whether dropping e loses no effect.
func isPureOrConst(e dst.Expr) bool {
	switch e.(type) {
	case *dst.BasicLit:
		return true
	}
	return rule.IsPure(e)
}

// deleteOption removes a no-op option expression. In a variadic
// argument list or a slice literal it is deleted, its comments moving to a
// neighbour; anywhere else (a variable, append, a return) it becomes the
// package's Empty*Option{}, which is the documented no-op.
func deleteOption(p *rule.Pass, c *dstutil.Cursor, empty string) {
	n := c.Node().(dst.Expr)
	if c.Index() >= 0 {
		var list []dst.Expr
		switch parent := c.Parent().(type) {
		case *dst.CallExpr:
			f := p.Callee(parent)
			sig, _ := types.Unalias(typeOfFunc(f)).(*types.Signature)
			if f != nil && sig != nil && sig.Variadic() && !parent.Ellipsis && c.Index() >= sig.Params().Len()-1 {
				list = parent.Args
			}
		case *dst.CompositeLit:
			list = parent.Elts
		}
		if list != nil {
			moveToNeighbour(n, list, c.Index())
			c.Delete()
			return
		}
	}
	lit := &dst.CompositeLit{Type: rule.QualifiedIdent(grpcPath, empty)}
	replace(c, lit)
}

func typeOfFunc(f *types.Func) types.Type {
	if f == nil {
		return nil
	}
	return f.Type()
}

// moveToNeighbour hands the comments of list[i] to the element after it,
// or before it when it is the last one.
func moveToNeighbour(n dst.Expr, list []dst.Expr, i int) {
	d := n.Decorations()
	if len(d.Start) == 0 && len(d.End) == 0 {
		return
	}
	switch {
	case i+1 < len(list):
		nd := list[i+1].Decorations()
		nd.Start = append(append(dst.Decorations{}, d.Start...), append(d.End, nd.Start...)...)
	case i > 0:
		pd := list[i-1].Decorations()
		pd.End = append(append(pd.End, d.Start...), d.End...)
	}
}
