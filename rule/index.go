package rule

import (
	"fmt"
	"go/ast"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/inspector"
)

// FileIndex holds the inspectors of one file, shared by every rule that
// runs on it: the engine builds one per file and gives it to each Pass, so
// a file is walked once for all the rules' searches instead of once per
// search. The go/ast inspector indexes the original syntax, which never
// changes; the dst one is rebuilt, when next asked for, after any change a
// rule records (Pass.Changed), so later rules see earlier rules' edits.
type FileIndex struct {
	file *dst.File
	ast  *ast.File

	ins    *Inspector // nil until asked for, and after a change
	astIns *inspector.Inspector
	builds int // how many times ins was built (for tests)
}

// NewFileIndex returns an index of f (decorated from af) that builds its
// inspectors when first asked for.
func NewFileIndex(f *dst.File, af *ast.File) *FileIndex {
	return &FileIndex{file: f, ast: af}
}

// Inspector returns the inspector of the file as it is now.
func (x *FileIndex) Inspector() *Inspector {
	if x.ins == nil {
		x.ins = NewInspector(x.file)
		x.builds++
	}
	return x.ins
}

// AstInspector returns the inspector of the original go/ast file.
func (x *FileIndex) AstInspector() *inspector.Inspector {
	if x.astIns == nil {
		x.astIns = inspector.New([]*ast.File{x.ast})
	}
	return x.astIns
}

// Invalidate drops the dst inspector: the tree changed.
func (x *FileIndex) Invalidate() { x.ins = nil }

// CheckIndex makes the engine verify, after every rule, that the shared
// inspector still describes the tree (Verify): set by the golden test
// harness, so a rule that edits the tree without recording the change
// fails its tests instead of misleading the rules after it.
var CheckIndex bool

// Verify reports an error when the dst inspector was built before a
// change that was not recorded: it no longer lists the tree's nodes.
func (x *FileIndex) Verify() error {
	if x.ins == nil {
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
