package rule

import (
	"go/ast"
	"slices"
	"testing"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

const inspectSrc = `package a

func f(x int) int {
	g := func() int { return x + 1 }
	if x > 0 {
		return g()
	}
	switch x {
	case 1:
		_ = len("a")
	}
	return 0
}
`

// The inspector visits what dst.Inspect visits, in the same order, for
// every type filter, with and without a stack.
func TestInspectorMatchesInspect(t *testing.T) {
	f, err := decorator.Parse(inspectSrc)
	if err != nil {
		t.Fatal(err)
	}
	in := NewInspector(f)
	var all []dst.Node
	var parents = map[dst.Node]dst.Node{}
	var stack []dst.Node
	dst.Inspect(f, func(n dst.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			parents[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		all = append(all, n)
		return true
	})
	if got := slices.Collect(in.Preorder()); !slices.Equal(got, all) {
		t.Fatalf("Preorder() = %d nodes, dst.Inspect %d", len(got), len(all))
	}
	for _, types := range [][]dst.Node{{(*dst.CallExpr)(nil)}, {(*dst.Ident)(nil), (*dst.ReturnStmt)(nil)}, {(*dst.File)(nil)}, {(*dst.ImportSpec)(nil)}} {
		var want []dst.Node
		for _, n := range all {
			if typeOf(n)&maskOf(types) != 0 {
				want = append(want, n)
			}
		}
		if got := slices.Collect(in.Preorder(types...)); !slices.Equal(got, want) {
			t.Errorf("Preorder(%T...) = %v, want %v", types[0], got, want)
		}
		var withStack []dst.Node
		in.WithStack(types, func(n dst.Node, st []dst.Node) bool {
			withStack = append(withStack, n)
			if st[len(st)-1] != n || len(st) > 1 && st[len(st)-2] != parents[n] {
				t.Errorf("stack of %T does not end with its parent and it", n)
			}
			return true
		})
		if !slices.Equal(withStack, want) {
			t.Errorf("WithStack(%T...) = %v, want %v", types[0], withStack, want)
		}
	}
	for _, n := range all {
		if in.Parent(n) != parents[n] {
			t.Errorf("Parent(%T) = %T, want %T", n, in.Parent(n), parents[n])
		}
	}
	calls := slices.Collect(Nodes[*dst.CallExpr](in))
	if len(calls) != 2 {
		t.Fatalf("Nodes[*dst.CallExpr] = %d calls, want 2", len(calls))
	}
	// g() is in f's body; len("a") in a case clause.
	fn, body := in.EnclosingFunc(calls[0])
	if fd, ok := fn.(*dst.FuncDecl); !ok || fd.Name.Name != "f" || body != fd.Body {
		t.Errorf("EnclosingFunc(g()) = %T", fn)
	}
	s, list := in.EnclosingStmt(calls[1])
	if _, ok := s.(*dst.AssignStmt); !ok {
		t.Errorf("EnclosingStmt(len) = %T, want the assignment", s)
	}
	if _, ok := list.(*dst.CaseClause); !ok {
		t.Errorf("EnclosingStmt(len) list = %T, want the case clause", list)
	}
	// x + 1 is inside the function literal.
	for b := range Nodes[*dst.BinaryExpr](in) {
		if fn, _ := in.EnclosingFunc(b); b.Op.String() == "+" {
			if _, ok := fn.(*dst.FuncLit); !ok {
				t.Errorf("EnclosingFunc(x + 1) = %T, want the literal", fn)
			}
		}
	}
	// Within a subtree: the returns of the literal only.
	lit := slices.Collect(Nodes[*dst.FuncLit](in))[0]
	if got := slices.Collect(in.Within(lit, (*dst.ReturnStmt)(nil))); len(got) != 1 {
		t.Errorf("Within(literal, return) = %d, want 1", len(got))
	}
	if fn, _ := in.EnclosingFunc(f.Decls[0].(*dst.FuncDecl).Type); fn != nil {
		t.Errorf("a signature is not inside its function")
	}
}

// A Pass's inspector is rebuilt after a recorded change, and Verify
// catches a change that was not recorded.
func TestFileIndexInvalidation(t *testing.T) {
	p := testPass(t, inspectSrc)
	p.FileIndex = NewFileIndex(p.File, p.AstFile)
	in := p.Inspector()
	if p.Inspector() != in || p.FileIndex.builds != 1 {
		t.Fatal("the inspector is not reused")
	}
	body := p.File.Decls[0].(*dst.FuncDecl).Body
	body.List = body.List[1:] // an unrecorded edit
	if err := p.FileIndex.Verify(); err == nil {
		t.Error("Verify missed an unrecorded change")
	}
	p.FileIndex.Edited()
	first, second := p.Inspector(), p.Inspector()
	if first == in || first == second {
		t.Error("a rule that edits does not get fresh inspectors")
	}
	// A live inspector's searches see edits made during the search, as
	// dst.Inspect does, and its lookups index the tree when asked.
	live := p.Inspector()
	var rets []dst.Node
	for n := range live.Preorder((*dst.IfStmt)(nil), (*dst.ReturnStmt)(nil)) {
		if ifs, ok := n.(*dst.IfStmt); ok {
			ifs.Body.List = []dst.Stmt{&dst.ReturnStmt{}} // replaces return g()
		} else {
			rets = append(rets, n)
		}
	}
	if len(rets) != 2 || len(rets[0].(*dst.ReturnStmt).Results) != 0 { // the literal is gone (above)
		t.Errorf("live search saw %d returns, not the replaced one", len(rets))
	}
	if _, ok := live.Parent(rets[0]).(*dst.BlockStmt); !ok {
		t.Error("a live inspector does not index the tree for Parent")
	}
	p.FileIndex.Done()
	if in = p.Inspector(); p.Inspector() != in || p.FileIndex.Verify() != nil {
		t.Error("the next rule does not share one inspector")
	}
	if a, b := p.AstInspector(), p.AstInspector(); a != b {
		t.Error("the go/ast inspector is not reused")
	}
}

// AstParent answers what a parent map of the original syntax would.
func TestAstParent(t *testing.T) {
	p := testPass(t, inspectSrc)
	p.Pkg.Syntax, p.Pkg.ID = []*ast.File{p.AstFile}, "a"
	p.Program = &Program{}
	var stack []ast.Node
	n := 0
	ast.Inspect(p.AstFile, func(x ast.Node) bool {
		if x == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		var want ast.Node
		if len(stack) > 0 {
			want = stack[len(stack)-1]
		}
		if got := p.AstParent(x); got != want {
			t.Errorf("AstParent(%T) = %T, want %T", x, got, want)
		}
		if got := p.PkgAstParent(x); got != want {
			t.Errorf("PkgAstParent(%T) = %T, want %T", x, got, want)
		}
		stack = append(stack, x)
		n++
		return true
	})
	if n < 20 || p.AstParent(&ast.Ident{}) != nil {
		t.Errorf("walked %d nodes; a foreign node has a parent", n)
	}
}
