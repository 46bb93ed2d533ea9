package rule

import (
	"iter"

	"github.com/dave/dst"
)

// Inspector is an index of one decorated syntax tree, built with a single
// walk, that the rules running on a file share instead of each walking the
// whole file again (the dst counterpart of go/ast/inspector, which indexes
// trees that never change). It answers preorder searches restricted to
// node types, with or without the stack of enclosing nodes, and parent and
// enclosing-node lookups.
//
// An Inspector is a snapshot: it describes the tree as it was when it was
// built. Rules change the tree, so a Pass hands out one that is rebuilt,
// lazily, after any rule recorded a change, and, to a rule that has
// recorded one, a live one whose searches walk the tree as dst.Inspect
// does (see Pass.Inspector). A rule iterating a snapshot while it edits
// keeps iterating the snapshot. Nodes added after an index was built are
// unknown to it: Parent returns nil for them.
type Inspector struct {
	// root is the tree; live is set until events are built (see
	// liveInspector).
	root   dst.Node
	live   bool
	size   int // room to make for the events of a live one
	events []event
	// index maps each node to its push event (built on the first
	// parent lookup).
	index map[dst.Node]int32
}

// event is the entry (push) or exit (pop) of one node in preorder.
type event struct {
	node dst.Node
	// typ is the type bit of node for a push, and for a pop the union of
	// the type bits of the node's subtree (so searches skip subtrees
	// holding no wanted type).
	typ uint64
	// index is, for a push, the index of its pop, and for a pop, that of
	// its push.
	index int32
	// parent is the index of the parent's push (-1 for the root).
	parent int32
}

// NewInspector indexes the tree under root (a *dst.File, usually) in one
// walk, in the order dst.Inspect visits it.
func NewInspector(root dst.Node) *Inspector { return newInspector(root, 64) }

// newInspector is NewInspector with room for size events (two per node).
func newInspector(root dst.Node, size int) *Inspector {
	in := &Inspector{root: root}
	in.build(size)
	return in
}

// liveInspector returns an inspector of a tree a rule is changing: its
// searches (Preorder, Nodes, Inspect) walk the tree as it is at each
// step, as dst.Inspect does, so they see the rule's own edits, and the
// index for the other queries is built when first needed.
func liveInspector(root dst.Node, size int) *Inspector {
	return &Inspector{root: root, live: true, size: size}
}

// built makes sure the events are there, for the queries a live walk
// cannot answer.
func (in *Inspector) built() *Inspector {
	if in.live {
		in.live = false
		in.build(in.size)
	}
	return in
}

func (in *Inspector) build(size int) {
	in.events = make([]event, 0, max(size, 64))
	stack := make([]int32, 0, 32) // indexes of the open pushes
	dst.Inspect(in.root, func(n dst.Node) bool {
		if n == nil {
			push := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			pop := int32(len(in.events))
			sub := in.events[push].typ
			for i := push + 1; i < pop; i = in.events[i].index + 1 {
				sub |= in.events[in.events[i].index].typ // a child's pop holds its subtree
			}
			in.events[push].index = pop
			in.events = append(in.events, event{node: in.events[push].node, typ: sub, index: push, parent: in.events[push].parent})
			return true
		}
		parent := int32(-1)
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		stack = append(stack, int32(len(in.events)))
		in.events = append(in.events, event{node: n, typ: typeOf(n), parent: parent})
		return true
	})
}

// walkLive is a search of a live inspector: dst.Inspect over the tree,
// calling f for the nodes of mask; f returning false skips the nodes
// below n, and stop, once set, ends the walk.
func (in *Inspector) walkLive(mask uint64, f func(n dst.Node) bool, stop *bool) {
	dst.Inspect(in.root, func(n dst.Node) bool {
		if n == nil || *stop {
			return false
		}
		if typeOf(n)&mask != 0 {
			return f(n) && !*stop
		}
		return true
	})
}

// Preorder yields the nodes of the given types (all nodes, with none), in
// the order dst.Inspect visits them:
//
//	for n := range in.Preorder((*dst.CallExpr)(nil), (*dst.Ident)(nil)) { ... }
func (in *Inspector) Preorder(types ...dst.Node) iter.Seq[dst.Node] {
	if in.live {
		return in.liveSeq(maskOf(types))
	}
	return in.within(0, int32(len(in.events)), maskOf(types))
}

func (in *Inspector) liveSeq(mask uint64) iter.Seq[dst.Node] {
	return func(yield func(dst.Node) bool) {
		stop := false
		in.walkLive(mask, func(n dst.Node) bool {
			stop = !yield(n)
			return true
		}, &stop)
	}
}

// Nodes yields the nodes of type N, a pointer to a dst node struct, in
// preorder: `for call := range rule.Nodes[*dst.CallExpr](in)`.
func Nodes[N dst.Node](in *Inspector) iter.Seq[N] {
	var zero N
	mask := typeOf(zero)
	return func(yield func(N) bool) {
		seq := in.within(0, int32(len(in.events)), mask)
		if in.live {
			seq = in.liveSeq(mask)
		}
		for n := range seq {
			if !yield(n.(N)) {
				return
			}
		}
	}
}

// Within is Preorder restricted to the subtree of n (n included), or
// nothing when n is not in the snapshot.
func (in *Inspector) Within(n dst.Node, types ...dst.Node) iter.Seq[dst.Node] {
	i, ok := in.built().push(n)
	if !ok {
		return func(func(dst.Node) bool) {}
	}
	return in.within(i, in.events[i].index+1, maskOf(types))
}

func (in *Inspector) within(from, to int32, mask uint64) iter.Seq[dst.Node] {
	return func(yield func(dst.Node) bool) {
		for i := from; i < to; {
			ev := in.events[i]
			if ev.index > i { // push
				if ev.typ&mask != 0 && !yield(ev.node) {
					return
				}
				if in.events[ev.index].typ&mask == 0 {
					i = ev.index + 1 // nothing wanted below: skip to after the pop
					continue
				}
			}
			i++
		}
	}
}

// Inspect calls f for each node of the given types (all, with none) in
// preorder, like dst.Inspect over the snapshot without the final nil
// calls: if f returns false, the nodes below n are skipped.
func (in *Inspector) Inspect(types []dst.Node, f func(n dst.Node) bool) {
	mask := maskOf(types)
	if in.live {
		stop := false
		in.walkLive(mask, f, &stop)
		return
	}
	for i := int32(0); i < int32(len(in.events)); {
		ev := in.events[i]
		if ev.index < i { // pop
			i++
			continue
		}
		if ev.typ&mask != 0 && !f(ev.node) || in.events[ev.index].typ&mask == 0 {
			i = ev.index + 1
			continue
		}
		i++
	}
}

// WithStack calls f for each node of the given types (all, with none)
// in preorder, with the stack of nodes from the root to it, n last. If f
// returns false, the nodes below n are skipped. The stack is reused
// between calls: copy what outlives the call.
func (in *Inspector) WithStack(types []dst.Node, f func(n dst.Node, stack []dst.Node) bool) {
	in.built()
	mask := maskOf(types)
	var stack []dst.Node
	for i := int32(0); i < int32(len(in.events)); {
		ev := in.events[i]
		if ev.index < i { // pop
			stack = stack[:len(stack)-1]
			i++
			continue
		}
		stack = append(stack, ev.node)
		if ev.typ&mask != 0 && !f(ev.node, stack) || in.events[ev.index].typ&mask == 0 {
			stack = stack[:len(stack)-1]
			i = ev.index + 1
			continue
		}
		i++
	}
}

// push returns the index of n's push event.
func (in *Inspector) push(n dst.Node) (int32, bool) {
	in.built()
	if in.index == nil {
		in.index = make(map[dst.Node]int32, len(in.events)/2)
		for i, ev := range in.events {
			if ev.index > int32(i) {
				in.index[ev.node] = int32(i)
			}
		}
	}
	i, ok := in.index[n]
	return i, ok
}

// Parent returns the node whose child n is, or nil for the root and for
// nodes the snapshot does not hold.
func (in *Inspector) Parent(n dst.Node) dst.Node {
	i, ok := in.push(n)
	if !ok || in.events[i].parent < 0 {
		return nil
	}
	return in.events[in.events[i].parent].node
}

// Ancestors yields the nodes enclosing n, innermost first (n excluded).
func (in *Inspector) Ancestors(n dst.Node) iter.Seq[dst.Node] {
	return func(yield func(dst.Node) bool) {
		i, ok := in.push(n)
		if !ok {
			return
		}
		for i = in.events[i].parent; i >= 0; i = in.events[i].parent {
			if !yield(in.events[i].node) {
				return
			}
		}
	}
}

// Enclosing returns the innermost node enclosing n (n excluded) of one
// of the given types, or nil.
func (in *Inspector) Enclosing(n dst.Node, types ...dst.Node) dst.Node {
	mask := maskOf(types)
	for a := range in.Ancestors(n) {
		if typeOf(a)&mask != 0 {
			return a
		}
	}
	return nil
}

// EnclosingFunc returns the innermost function (a *dst.FuncDecl or
// *dst.FuncLit) whose body holds n, and that body; nil outside functions
// (a function's own signature is outside its body).
func (in *Inspector) EnclosingFunc(n dst.Node) (fn dst.Node, body *dst.BlockStmt) {
	child := n
	for a := range in.Ancestors(n) {
		switch f := a.(type) {
		case *dst.FuncDecl:
			if f.Body != nil && child == f.Body {
				return f, f.Body
			}
		case *dst.FuncLit:
			if child == f.Body {
				return f, f.Body
			}
		}
		child = a
	}
	return nil, nil
}

// EnclosingStmt returns the statement of a statement list (a block's, a
// case or select clause's) that holds n, n itself if it is one, and the
// node holding the list (a *dst.BlockStmt, *dst.CaseClause or
// *dst.CommClause); nil outside function bodies.
func (in *Inspector) EnclosingStmt(n dst.Node) (stmt dst.Stmt, list dst.Node) {
	child := n
	for a := range in.Ancestors(n) {
		switch a.(type) {
		case *dst.BlockStmt, *dst.CaseClause, *dst.CommClause:
			if s, ok := child.(dst.Stmt); ok {
				return s, a
			}
		}
		child = a
	}
	return nil, nil
}

// HomeBlock returns the innermost block enclosing n (n excluded), or nil.
func (in *Inspector) HomeBlock(n dst.Node) *dst.BlockStmt {
	b, _ := in.Enclosing(n, (*dst.BlockStmt)(nil)).(*dst.BlockStmt)
	return b
}

func maskOf(types []dst.Node) uint64 {
	if len(types) == 0 {
		return ^uint64(0)
	}
	var m uint64
	for _, t := range types {
		m |= typeOf(t)
	}
	return m
}

// Type bits, one per dst node type.
const (
	nArrayType = iota
	nAssignStmt
	nBadDecl
	nBadExpr
	nBadStmt
	nBasicLit
	nBinaryExpr
	nBlockStmt
	nBranchStmt
	nCallExpr
	nCaseClause
	nChanType
	nCommClause
	nCompositeLit
	nDeclStmt
	nDeferStmt
	nEllipsis
	nEmptyStmt
	nExprStmt
	nField
	nFieldList
	nFile
	nForStmt
	nFuncDecl
	nFuncLit
	nFuncType
	nGenDecl
	nGoStmt
	nIdent
	nIfStmt
	nImportSpec
	nIncDecStmt
	nIndexExpr
	nIndexListExpr
	nInterfaceType
	nKeyValueExpr
	nLabeledStmt
	nMapType
	nPackage
	nParenExpr
	nRangeStmt
	nReturnStmt
	nSelectStmt
	nSelectorExpr
	nSendStmt
	nSliceExpr
	nStarExpr
	nStructType
	nSwitchStmt
	nTypeAssertExpr
	nTypeSpec
	nTypeSwitchStmt
	nUnaryExpr
	nValueSpec
)

// typeOf returns the type bit of n's dynamic type (n may be a typed nil).
func typeOf(n dst.Node) uint64 {
	var i int
	switch n.(type) {
	case *dst.ArrayType:
		i = nArrayType
	case *dst.AssignStmt:
		i = nAssignStmt
	case *dst.BadDecl:
		i = nBadDecl
	case *dst.BadExpr:
		i = nBadExpr
	case *dst.BadStmt:
		i = nBadStmt
	case *dst.BasicLit:
		i = nBasicLit
	case *dst.BinaryExpr:
		i = nBinaryExpr
	case *dst.BlockStmt:
		i = nBlockStmt
	case *dst.BranchStmt:
		i = nBranchStmt
	case *dst.CallExpr:
		i = nCallExpr
	case *dst.CaseClause:
		i = nCaseClause
	case *dst.ChanType:
		i = nChanType
	case *dst.CommClause:
		i = nCommClause
	case *dst.CompositeLit:
		i = nCompositeLit
	case *dst.DeclStmt:
		i = nDeclStmt
	case *dst.DeferStmt:
		i = nDeferStmt
	case *dst.Ellipsis:
		i = nEllipsis
	case *dst.EmptyStmt:
		i = nEmptyStmt
	case *dst.ExprStmt:
		i = nExprStmt
	case *dst.Field:
		i = nField
	case *dst.FieldList:
		i = nFieldList
	case *dst.File:
		i = nFile
	case *dst.ForStmt:
		i = nForStmt
	case *dst.FuncDecl:
		i = nFuncDecl
	case *dst.FuncLit:
		i = nFuncLit
	case *dst.FuncType:
		i = nFuncType
	case *dst.GenDecl:
		i = nGenDecl
	case *dst.GoStmt:
		i = nGoStmt
	case *dst.Ident:
		i = nIdent
	case *dst.IfStmt:
		i = nIfStmt
	case *dst.ImportSpec:
		i = nImportSpec
	case *dst.IncDecStmt:
		i = nIncDecStmt
	case *dst.IndexExpr:
		i = nIndexExpr
	case *dst.IndexListExpr:
		i = nIndexListExpr
	case *dst.InterfaceType:
		i = nInterfaceType
	case *dst.KeyValueExpr:
		i = nKeyValueExpr
	case *dst.LabeledStmt:
		i = nLabeledStmt
	case *dst.MapType:
		i = nMapType
	case *dst.Package:
		i = nPackage
	case *dst.ParenExpr:
		i = nParenExpr
	case *dst.RangeStmt:
		i = nRangeStmt
	case *dst.ReturnStmt:
		i = nReturnStmt
	case *dst.SelectStmt:
		i = nSelectStmt
	case *dst.SelectorExpr:
		i = nSelectorExpr
	case *dst.SendStmt:
		i = nSendStmt
	case *dst.SliceExpr:
		i = nSliceExpr
	case *dst.StarExpr:
		i = nStarExpr
	case *dst.StructType:
		i = nStructType
	case *dst.SwitchStmt:
		i = nSwitchStmt
	case *dst.TypeAssertExpr:
		i = nTypeAssertExpr
	case *dst.TypeSpec:
		i = nTypeSpec
	case *dst.TypeSwitchStmt:
		i = nTypeSwitchStmt
	case *dst.UnaryExpr:
		i = nUnaryExpr
	case *dst.ValueSpec:
		i = nValueSpec
	default:
		return 0
	}
	return 1 << i
}
