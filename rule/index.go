package rule

import (
	"fmt"
	"go/ast"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/packages"
)

// FileIndex holds the inspectors of one file, shared by every rule that
// runs on it: the engine builds one per file and gives it to each Pass, so
// a file is walked once for all the rules' searches instead of once per
// search. The go/ast inspector indexes the original syntax, which never
// changes. The dst one describes the tree as the running rule found it;
// once that rule records a change (Pass.Changed) the tree is in flux, so
// until the rule returns every request gets a live one (whose searches
// walk the tree as it is, and whose lookups index it when asked), and
// the next rule gets one built anew that shows the edits.
type FileIndex struct {
	file *dst.File
	ast  *ast.File

	ins     *Inspector // nil until asked for, and after a change
	editing bool       // the running rule recorded a change
	astIns  *astIndex
	size    int // events of the last build
	builds  int // how many times ins was built (for tests)
}

// NewFileIndex returns an index of f (decorated from af) that builds its
// inspectors when first asked for.
func NewFileIndex(f *dst.File, af *ast.File) *FileIndex {
	return &FileIndex{file: f, ast: af}
}

// Inspector returns the inspector of the file as it is now.
func (x *FileIndex) Inspector() *Inspector {
	// Room for the events: as many as last time, with some slack for
	// nodes rules add, or, the first time, one per three bytes of source
	// (two per node; Go code averages a node per six or seven bytes).
	size := x.size + x.size/8
	if size == 0 && x.ast != nil {
		size = int(x.ast.FileEnd-x.ast.FileStart) / 3
	}
	if x.editing {
		// The tree is changing under the rule: searches walk it as it is.
		x.ins = nil
		return liveInspector(x.file, size)
	}
	if x.ins == nil {
		x.ins = newInspector(x.file, size)
		x.size = len(x.ins.events)
		x.builds++
	}
	return x.ins
}

// AstInspector returns the inspector of the original go/ast file.
func (x *FileIndex) AstInspector() *inspector.Inspector { return x.astIndex().in }

func (x *FileIndex) astIndex() *astIndex {
	if x.astIns == nil {
		x.astIns = newAstIndex([]*ast.File{x.ast})
	}
	return x.astIns
}

// astIndex is a go/ast inspector with a lookup from node to cursor,
// built on the first lookup.
type astIndex struct {
	in *inspector.Inspector
	at map[ast.Node]int32
}

func newAstIndex(files []*ast.File) *astIndex { return &astIndex{in: inspector.New(files)} }

// cursor returns the cursor of n, or false when n is not in the files.
func (x *astIndex) cursor(n ast.Node) (inspector.Cursor, bool) {
	if x.at == nil {
		x.at = map[ast.Node]int32{}
		for c := range x.in.Root().Preorder() {
			x.at[c.Node()] = c.Index()
		}
	}
	i, ok := x.at[n]
	if !ok {
		return inspector.Cursor{}, false
	}
	return x.in.At(i), true
}

// parent returns the parent of n, or nil for a file and for nodes not
// in the files.
func (x *astIndex) parent(n ast.Node) ast.Node {
	c, ok := x.cursor(n)
	if !ok {
		return nil
	}
	return c.Parent().Node() // nil for the root's children's parent
}

// Edited records that the running rule changed (or is about to change)
// the tree: requests until Done build fresh inspectors.
func (x *FileIndex) Edited() { x.editing = true }

// Done is called after each rule: the inspector is rebuilt for the next
// rule if this one changed the tree.
func (x *FileIndex) Done() {
	if x.editing {
		x.ins, x.editing = nil, false
	}
}

// CheckIndex makes the engine verify, after every rule, that the shared
// inspector still describes the tree (Verify): set by the golden test
// harness, so a rule that edits the tree without recording the change
// fails its tests instead of misleading the rules after it.
var CheckIndex bool

// Verify reports an error when the tree changed without a recorded
// change: the inspector the next rule would get no longer lists its nodes.
func (x *FileIndex) Verify() error {
	if x.ins == nil || x.editing {
		return nil
	}
	fresh := NewInspector(x.file)
	if len(fresh.events) != len(x.ins.events) {
		return fmt.Errorf("the tree changed without Pass.Changed (%d nodes indexed, %d now)", len(x.ins.events)/2, len(fresh.events)/2)
	}
	for i, ev := range fresh.events {
		if x.ins.events[i].node != ev.node {
			return fmt.Errorf("the tree changed without Pass.Changed (at a %T)", ev.node)
		}
	}
	return nil
}

// Index returns the file's shared index, making one for a Pass the
// engine did not give one (tests).
func (p *Pass) Index() *FileIndex {
	if p.FileIndex == nil {
		p.FileIndex = NewFileIndex(p.File, p.AstFile)
	}
	return p.FileIndex
}

// Inspector returns the shared inspector of the file as it is now: use it
// to find the nodes a rule rewrites, instead of walking the file.
func (p *Pass) Inspector() *Inspector { return p.Index().Inspector() }

// AstInspector returns the shared inspector of the original go/ast file.
func (p *Pass) AstInspector() *inspector.Inspector { return p.Index().AstInspector() }

// AstParent returns the parent of an original go/ast node of the file,
// or nil (for the file, and for nodes of other files).
func (p *Pass) AstParent(n ast.Node) ast.Node { return p.Index().astIndex().parent(n) }

// PkgAstParent is AstParent for a node of any file of the package (the
// index of the package's files is built once per program).
func (p *Pass) PkgAstParent(n ast.Node) ast.Node {
	x := p.Program.Memo("rule.PkgAstParent\x00"+p.Pkg.ID, func() any { return newAstIndex(p.Pkg.Syntax) }).(*astIndex)
	if p.Program != nil {
		p.Program.memoMu.Lock() // the lookup map is built on first use
		defer p.Program.memoMu.Unlock()
	}
	return x.parent(n)
}

// PkgAstInspector returns a go/ast inspector of every file of the
// package (built once per program), for searches beyond the file.
func (p *Pass) PkgAstInspector() *inspector.Inspector { return p.Program.pkgAstInspector(p.Pkg) }

func (pr *Program) pkgAstInspector(pkg *packages.Package) *inspector.Inspector {
	return pr.Memo("rule.PkgAstInspector\x00"+pkg.ID, func() any { return inspector.New(pkg.Syntax) }).(*inspector.Inspector)
}
