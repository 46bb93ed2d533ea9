package rule

import (
	"go/ast"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/astutil"
)

// Names hands out the names of the local variables and parameters rules
// invent (err, ts, conn, ...), so that a new name can neither capture an
// identifier the code already uses nor shadow one it needs. A name is
// free where no identifier is spelled that way (in the original syntax
// or in what earlier rules wrote), no import of the file and no package
// a rewritten reference names has it, and the pass has not handed it out
// there already. Candidates are tried in order, then with 2, 3, ...
// appended: Fresh(at, "b", "data") yields b, data, b2, data2, ...
//
// Every rule of the toolkit gets its names here (Pass.Names), so two
// helpers of one rule never hand out the same name twice in a function.
type Names struct {
	p     *Pass
	given map[dst.Node]map[string]bool
}

// Names returns the pass's name allocator.
func (p *Pass) Names() *Names {
	if p.names == nil {
		p.names = &Names{p: p, given: map[dst.Node]map[string]bool{}}
	}
	return p.names
}

// Fresh returns a name for a variable declared among the statements of
// the function (declaration or literal) around the node at, free in the
// whole function. For a node a rule built (with no original position)
// the scope is the whole file.
func (n *Names) Fresh(at dst.Node, candidates ...string) string {
	orig, scope := n.function(at)
	used := n.spelled(scope)
	if orig != nil {
		ast.Inspect(orig, func(x ast.Node) bool {
			if id, ok := x.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		})
	}
	return n.pick(scope, used, candidates)
}

// FreshIn returns a name visible only in new code that wraps scope (the
// init of an if statement built around a statement, the parameters of a
// closure built around an expression): free of every identifier scope
// spells, so nothing inside it is captured.
func (n *Names) FreshIn(scope dst.Node, candidates ...string) string {
	return n.pick(scope, n.spelled(scope), candidates)
}

func (n *Names) pick(scope dst.Node, used map[string]bool, candidates []string) string {
	for _, is := range n.p.AstFile.Imports {
		if is.Name != nil {
			used[is.Name.Name] = true
		} else if path, err := strconv.Unquote(is.Path.Value); err == nil {
			used[lastElem(path)] = true
		}
	}
	if n.given[scope] == nil {
		n.given[scope] = map[string]bool{}
	}
	for i := 1; ; i++ {
		for _, c := range candidates {
			name := c
			if i > 1 {
				name += strconv.Itoa(i)
			}
			if !used[name] && !n.given[scope][name] {
				n.given[scope][name] = true
				return name
			}
		}
	}
}

// spelled returns the names the identifiers in the dst node spell; a
// qualified reference a rule wrote (Path set) counts as its package's
// name, which the restorer may import.
func (n *Names) spelled(node dst.Node) map[string]bool {
	used := map[string]bool{}
	if node == nil {
		return used
	}
	dst.Inspect(node, func(x dst.Node) bool {
		if id, ok := x.(*dst.Ident); ok {
			if id.Path != "" {
				used[lastElem(id.Path)] = true
			} else {
				used[id.Name] = true
			}
		}
		return true
	})
	return used
}

// function returns the innermost function declaration or literal around
// the original node at, as it was and as it is now, or the file.
func (n *Names) function(at dst.Node) (ast.Node, dst.Node) {
	a := n.p.Ast(at)
	if a == nil {
		return n.p.AstFile, n.p.File
	}
	path, _ := astutil.PathEnclosingInterval(n.p.AstFile, a.Pos(), a.End())
	for _, x := range path {
		switch x.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			if d := n.p.Dec.Dst.Nodes[x]; d != nil {
				return x, d
			}
			return x, n.p.File
		}
	}
	return n.p.AstFile, n.p.File
}

func lastElem(path string) string { return path[strings.LastIndex(path, "/")+1:] }
