package protov1

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// This file is the DynamicAny part of protov1.ptypes.any (spec A.3,
// DynamicAny and UnmarshalAny into one):
//
//	dyn := &ptypes.DynamicAny{}                  (or new(…), var dyn ptypes.DynamicAny, ptypes.DynamicAny{})
//	if err := ptypes.UnmarshalAny(x, dyn); … {   (or err := / err = / a bare call)
//	… dyn.Message …
//	    →
//	dyn, err := x.UnmarshalNew()
//	if err != nil {
//	… dyn …
//
// It applies only when the variable is declared with a zero value in the
// same statement list as the single UnmarshalAny call that fills it and is
// otherwise only read as dyn.Message after that call: then the variable
// is exactly "the decoded message". A read compared with nil or that is
// the argument of the v1 text functions protov1.proto.text moves to prototext gets dyn itself
// (typed as the v2 message for that later rule), every other read gets protoadapt.MessageV1Of(dyn), which is the value v1 put in
// dyn.Message (it unwraps legacy messages the same way). A variable
// nothing reads after the decode becomes _ (`if _, err :=
// x.UnmarshalNew(); err != nil`), which keeps the check of the decode. After a failed
// decode v1 left the partially decoded message in dyn.Message, v2 returns
// nil: risk "review".

// dynPlan is one DynamicAny variable that can become UnmarshalNew's result.
type dynPlan struct {
	obj   *types.Var
	decl  ast.Stmt
	stmt  ast.Stmt // the statement of the list that holds the call
	call  *ast.CallExpr
	reads []*ast.SelectorExpr
	msg   types.Type // UnmarshalNew's message result type
}

// rewriteDynamicAny rewrites the DynamicAny variables it can and returns,
// for those it cannot, the declaration's extent and the reason.
func rewriteDynamicAny(p *rule.Pass) map[ast.Stmt]string {
	info := p.Info()
	var vars []*ast.Ident
	for id, o := range info.Defs {
		v, ok := o.(*types.Var)
		if ok && !v.IsField() && isDynamicAny(v.Type()) && id.Pos() >= p.AstFile.Pos() && id.Pos() <= p.AstFile.End() {
			vars = append(vars, id)
		}
	}
	if len(vars) == 0 {
		return nil
	}
	slices.SortFunc(vars, func(a, b *ast.Ident) int { return cmp.Compare(a.Pos(), b.Pos()) })
	parent := p.AstParent
	refused := map[ast.Stmt]string{}
	var plans []*dynPlan
	for _, id := range vars {
		decl := declStmtOf(id, parent)
		if decl == nil {
			continue // parameters and results keep the plain report
		}
		pl, why := planDynamic(p, info.Defs[id].(*types.Var), decl, parent)
		if why != "" {
			refused[decl] = why
			continue
		}
		plans = append(plans, pl)
	}
	for _, pl := range plans {
		applyDynamic(p, pl, parent)
	}
	return refused
}

// declStmtOf returns the statement that declares id alone: `id := v` or
// `var id T [= v]`.
func declStmtOf(id *ast.Ident, parent func(ast.Node) ast.Node) ast.Stmt {
	switch d := parent(id).(type) {
	case *ast.AssignStmt:
		if d.Tok == token.DEFINE && len(d.Lhs) == 1 && len(d.Rhs) == 1 {
			return d
		}
	case *ast.ValueSpec:
		gd, _ := parent(d).(*ast.GenDecl)
		if len(d.Names) == 1 && gd != nil && len(gd.Specs) == 1 {
			if ds, ok := parent(gd).(*ast.DeclStmt); ok {
				return ds
			}
		}
	}
	return nil
}

func isListHolder(n ast.Node) bool {
	switch n.(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
		return true
	}
	return false
}

func planDynamic(p *rule.Pass, v *types.Var, decl ast.Stmt, parent func(ast.Node) ast.Node) (*dynPlan, string) {
	info := p.Info()
	_, isPtr := v.Type().(*types.Pointer)
	line := func(n ast.Node) int { return p.Fset.Position(n.Pos()).Line }
	// The variable must start out as an empty DynamicAny.
	var init ast.Expr
	switch d := decl.(type) {
	case *ast.AssignStmt:
		init = d.Rhs[0]
	case *ast.DeclStmt:
		vs := d.Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec)
		if len(vs.Values) == 1 {
			init = vs.Values[0]
		}
	}
	if init == nil && isPtr {
		return nil, "it is a nil pointer until something else sets it"
	}
	if init != nil && !zeroDynamicAny(info, init) {
		return nil, "it is not declared with an empty DynamicAny"
	}
	if !isListHolder(parent(decl)) {
		return nil, "its declaration is not a plain statement of a block"
	}
	pl := &dynPlan{obj: v, decl: decl}
	var uses []*ast.Ident
	for id, o := range info.Uses {
		if o == v {
			uses = append(uses, id)
		}
	}
	// Source order, so the reason given is the first offending use.
	slices.SortFunc(uses, func(a, b *ast.Ident) int { return cmp.Compare(a.Pos(), b.Pos()) })
	for _, id := range uses {
		var target ast.Expr = id
		if !isPtr {
			if u, ok := parent(id).(*ast.UnaryExpr); ok && u.Op == token.AND {
				target = u
			}
		}
		if c, ok := parent(target).(*ast.CallExpr); ok && len(c.Args) == 2 && c.Args[1] == target && (isPtr || target != ast.Expr(id)) {
			if rule.IsPkgFunc(astCallee(info, c), v1Ptypes, "UnmarshalAny") {
				if pl.call != nil {
					return nil, fmt.Sprintf("it is filled by more than one UnmarshalAny call (line %d)", line(c))
				}
				pl.call = c
				continue
			}
		}
		if sel, ok := parent(id).(*ast.SelectorExpr); ok && sel.X == id && sel.Sel.Name == "Message" {
			if writes(sel, parent) {
				return nil, fmt.Sprintf("%s.Message is written or its address taken (line %d)", v.Name(), line(sel))
			}
			pl.reads = append(pl.reads, sel)
			continue
		}
		return nil, fmt.Sprintf("%s is used other than as UnmarshalAny's target or by reading %s.Message (line %d)", v.Name(), v.Name(), line(id))
	}
	if pl.call == nil {
		return nil, "no ptypes.UnmarshalAny call fills it"
	}
	stmt := ast.Node(pl.call)
	switch s := parent(pl.call).(type) {
	case *ast.ExprStmt:
		stmt = s
	case *ast.AssignStmt:
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
			return nil, "the UnmarshalAny call is not assigned to one variable"
		}
		stmt = s
		if ifs, ok := parent(s).(*ast.IfStmt); ok && ifs.Init == s {
			stmt = ifs
		}
	}
	st, ok := stmt.(ast.Stmt)
	if !ok || parent(st) != parent(decl) || st.Pos() < decl.End() {
		return nil, fmt.Sprintf("the UnmarshalAny call (line %d) is not a statement of the block that declares %s", line(pl.call), v.Name())
	}
	if ifs, ok := st.(*ast.IfStmt); ok {
		if as := ifs.Init.(*ast.AssignStmt); as.Tok == token.DEFINE {
			if _, ok := as.Lhs[0].(*ast.Ident); !ok {
				return nil, "the UnmarshalAny error is not assigned to a variable"
			}
		}
	}
	pl.stmt = st
	for _, r := range pl.reads {
		if r.Pos() < pl.call.End() {
			return nil, fmt.Sprintf("%s.Message is read before UnmarshalAny fills it (line %d)", v.Name(), line(r))
		}
	}
	m, _, _ := types.LookupFieldOrMethod(info.TypeOf(pl.call.Args[0]), true, nil, "UnmarshalNew")
	f, _ := m.(*types.Func)
	if f == nil {
		return nil, "the Any argument's type has no UnmarshalNew method"
	}
	pl.msg = f.Type().(*types.Signature).Results().At(0).Type()
	return pl, ""
}

// zeroDynamicAny reports whether e is &ptypes.DynamicAny{}, new(ptypes.DynamicAny) or ptypes.DynamicAny{}.
func zeroDynamicAny(info *types.Info, e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		cl, ok := ast.Unparen(u.X).(*ast.CompositeLit)
		return ok && len(cl.Elts) == 0 && isDynamicAny(info.TypeOf(cl))
	}
	switch e := e.(type) {
	case *ast.CompositeLit:
		return len(e.Elts) == 0 && isDynamicAny(info.TypeOf(e))
	case *ast.CallExpr:
		id, ok := ast.Unparen(e.Fun).(*ast.Ident)
		if !ok || len(e.Args) != 1 {
			return false
		}
		b, ok := info.Uses[id].(*types.Builtin)
		return ok && b.Name() == "new" && isDynamicAny(info.TypeOf(e.Args[0]))
	}
	return false
}

// writes reports whether the selector is assigned, ranged into or has its
// address taken.
func writes(sel *ast.SelectorExpr, parent func(ast.Node) ast.Node) bool {
	switch q := parent(sel).(type) {
	case *ast.AssignStmt:
		for _, l := range q.Lhs {
			if l == sel {
				return true
			}
		}
	case *ast.RangeStmt:
		return q.Key == sel || q.Value == sel
	case *ast.UnaryExpr:
		return q.Op == token.AND
	case *ast.ParenExpr:
		return true // rare enough not to follow
	}
	return false
}

func astCallee(info *types.Info, c *ast.CallExpr) *types.Func {
	switch f := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		fn, _ := info.Uses[f].(*types.Func)
		return fn
	case *ast.SelectorExpr:
		fn, _ := info.Uses[f.Sel].(*types.Func)
		return fn
	}
	return nil
}

// takesV2 reports whether the read sel is compared with nil or is the
// argument of a v1 text function that protov1.proto.text turns into a
// prototext call on a v2 message (it runs after this rule), so the v2
// message fits as it is.
func takesV2(info *types.Info, sel *ast.SelectorExpr, parent func(ast.Node) ast.Node, textRuleRuns bool) bool {
	if b, ok := parent(sel).(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) {
		// MessageV1Of(m) is nil exactly when m is.
		return rule.IsUntypedNil(info.TypeOf(b.X)) || rule.IsUntypedNil(info.TypeOf(b.Y))
	}
	c, ok := parent(sel).(*ast.CallExpr)
	if !ok || len(c.Args) != 1 || c.Args[0] != ast.Expr(sel) {
		return false
	}
	f := astCallee(info, c)
	// Without protov1.proto.text the v1 call stays and needs a v1 message.
	return textRuleRuns && (rule.IsPkgFunc(f, v1Proto, "CompactTextString") || rule.IsPkgFunc(f, v1Proto, "MarshalTextString"))
}

func applyDynamic(p *rule.Pass, pl *dynPlan, parent func(ast.Node) ast.Node) {
	info := p.Info()
	name := pl.obj.Name()
	nodes := p.Dec.Dst.Nodes
	declDst := nodes[pl.decl].(dst.Stmt)
	stmtDst := nodes[pl.stmt].(dst.Stmt)
	callDst := nodes[pl.call].(*dst.CallExpr)
	const msg = "ptypes.DynamicAny + UnmarshalAny → (*anypb.Any).UnmarshalNew (the variable is the decoded message; after a failed decode it is nil, where v1 kept a partial message)"
	p.Changed(declDst, change.Review, msg)
	p.Changed(stmtDst, change.Review, msg)
	newCall := rule.Call(rule.Sel(parenIfNeeded(callDst.Args[0]), "UnmarshalNew"))
	rule.MoveDecs(callDst, newCall)

	replaceDecl := []dst.Stmt{} // removed unless the error is assigned with =
	// A variable nothing reads after the decode becomes _: `s, err :=`
	// would not compile ("declared and not used").
	unread := len(pl.reads) == 0
	target := func() dst.Expr {
		if unread {
			return dst.NewIdent("_")
		}
		return dst.NewIdent(name)
	}
	declare := func() {
		if !unread {
			replaceDecl = []dst.Stmt{rule.VarDecl(name, rule.QualifiedIdent(v2Proto, "Message"))}
		}
	}
	var replaceStmt []dst.Stmt
	switch s := stmtDst.(type) {
	case *dst.ExprStmt:
		if unread {
			replaceStmt = []dst.Stmt{rule.AssignStmt(rule.Exprs(dst.NewIdent("_"), dst.NewIdent("_")), newCall)}
		} else {
			replaceStmt = []dst.Stmt{rule.DefineStmt(rule.Exprs(dst.NewIdent(name), dst.NewIdent("_")), newCall)}
		}
		rule.MoveStmtDecs(s, replaceStmt)
	case *dst.AssignStmt:
		if s.Tok == token.DEFINE {
			replaceStmt = []dst.Stmt{rule.DefineStmt(rule.Exprs(target(), s.Lhs[0]), newCall)}
			rule.MoveStmtDecs(s, replaceStmt)
		} else {
			declare()
			s.Lhs = append(rule.Exprs(target()), s.Lhs...)
			s.Rhs = rule.Exprs(newCall)
			replaceStmt = []dst.Stmt{s}
		}
	case *dst.IfStmt:
		as := s.Init.(*dst.AssignStmt)
		if as.Tok != token.DEFINE || unread {
			// The error stays in the if statement's init; so does the
			// decode when nothing reads its result.
			declare()
			as.Lhs = append(rule.Exprs(target()), as.Lhs...)
			as.Rhs = rule.Exprs(newCall)
			replaceStmt = []dst.Stmt{s}
			break
		}
		errObj := p.ObjectOf(as.Lhs[0].(*dst.Ident))
		en := hoistedErrName(p, pl.stmt.(*ast.IfStmt), errObj, parent)
		if en != errObj.Name() {
			dst.Inspect(s, func(n dst.Node) bool {
				if id, ok := n.(*dst.Ident); ok && id.Path == "" && p.ObjectOf(id) == errObj {
					id.Name = en
				}
				return true
			})
		}
		hoisted := rule.DefineStmt(rule.Exprs(dst.NewIdent(name), dst.NewIdent(en)), newCall)
		hoisted.Decs.Before = s.Decs.Before
		hoisted.Decs.Start = s.Decs.Start
		hoisted.Decs.End = as.Decs.End
		hoisted.Decs.After = dst.NewLine
		s.Decs.Start, s.Decs.Before = nil, dst.NewLine
		s.Init = nil
		replaceStmt = []dst.Stmt{hoisted, s}
	}
	if len(replaceDecl) > 0 {
		rule.MoveStmtDecs(declDst, replaceDecl)
	} else {
		// The declaration's comments move to where the variable is now declared.
		d := replaceStmt[0].Decorations()
		d.Start = append(append(dst.Decorations{}, declDst.Decorations().Start...), d.Start...)
		d.End = append(d.End, declDst.Decorations().End...)
	}
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			switch s {
			case declDst:
				out = append(out, replaceDecl...)
			case stmtDst:
				out = append(out, replaceStmt...)
			default:
				out = append(out, s)
			}
		}
		return out
	})
	reads := map[dst.Node]dst.Expr{}
	for _, r := range pl.reads {
		rd := nodes[r].(dst.Expr)
		p.Changed(rd, change.Review, msg)
		id := dst.NewIdent(name)
		p.SetType(id, pl.msg)
		var repl dst.Expr = id
		if !takesV2(info, r, parent, p.RuleEnabled(ProtoText.Name)) {
			c := rule.Call(rule.QualifiedIdent(v2Protoadapt, "MessageV1Of"), id)
			p.SetType(c, info.TypeOf(r))
			repl = c
		}
		rule.MoveDecs(rd, repl)
		reads[rd] = repl
	}
	dstutil.Apply(p.File, func(c *dstutil.Cursor) bool {
		if r, ok := reads[c.Node()]; ok {
			c.Replace(r)
		}
		return true
	}, nil)
	p.Require(protobufModule, minProtobuf)
}

// hoistedErrName picks the name of the error variable when `if err :=
// ptypes.UnmarshalAny(…); …` becomes `dyn, err := x.UnmarshalNew()` before
// the if. The original name is kept when nothing after the if in the
// block mentions it, and either no variable of that name lives in the
// block's scope (so := declares a fresh one) or the one that does is an
// error variable that is neither a parameter nor captured by a closure,
// so overwriting it is unobservable. Otherwise a fresh name is used.
func hoistedErrName(p *rule.Pass, ifs *ast.IfStmt, errObj types.Object, parent func(ast.Node) ast.Node) string {
	info := p.Info()
	name := errObj.Name()
	fresh := func() string { return p.Names().Fresh(p.Dec.Dst.Nodes[ifs], name) }
	holder := parent(ifs)
	var list []ast.Stmt
	var sc *types.Scope
	switch h := holder.(type) {
	case *ast.BlockStmt:
		list = h.List
		sc = info.Scopes[h]
		if sc == nil { // a function body shares the signature's scope
			switch f := parent(h).(type) {
			case *ast.FuncDecl:
				sc = info.Scopes[f.Type]
			case *ast.FuncLit:
				sc = info.Scopes[f.Type]
			}
		}
	case *ast.CaseClause:
		list, sc = h.Body, info.Scopes[h]
	case *ast.CommClause:
		list, sc = h.Body, info.Scopes[h]
	}
	if sc == nil {
		return fresh()
	}
	after := false
	for _, s := range list {
		if s == ast.Stmt(ifs) {
			after = true
			continue
		}
		if after && mentionsName(s, name) {
			return fresh()
		}
	}
	_, obj := sc.LookupParent(name, ifs.Pos())
	if obj == nil {
		return name
	}
	v, ok := obj.(*types.Var)
	if !ok || !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
		return fresh()
	}
	if obj.Parent() != sc {
		return name
	}
	// Same scope: := would assign the existing variable.
	var def *ast.Ident
	for id, o := range info.Defs {
		if o == obj {
			def = id
		}
	}
	if def == nil {
		return fresh()
	}
	for n := parent(def); n != nil; n = parent(n) {
		if _, ok := n.(*ast.FieldList); ok {
			return fresh() // a parameter or named result
		}
	}
	home := enclosingFunc(def, parent)
	for id, o := range info.Uses {
		if o == obj && enclosingFunc(id, parent) != home {
			return fresh()
		}
	}
	return name
}

func enclosingFunc(n ast.Node, parent func(ast.Node) ast.Node) ast.Node {
	for n = parent(n); n != nil; n = parent(n) {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return n
		}
	}
	return nil
}

func mentionsName(n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}
