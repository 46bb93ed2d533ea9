// Package grpcdial holds the rules that move grpc-go clients off the
// deprecated Dial and DialContext onto NewClient without changing what
// the program does.
package grpcdial

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Dial rewrites grpc.Dial(target, opts...) and grpc.DialContext(ctx,
// target, opts...) to grpc.NewClient (spec C.1 rows Dial, DialContext,
// WithBlock, WithReturnConnectionError, FailOnNonTempDialError,
// WithTimeout; C.10). Risk: review.
//
// Two behaviours are kept on purpose. Resolution: Dial fell back to the
// "passthrough" resolver where NewClient falls back to "dns", which
// breaks in-memory listeners, custom dialers and names like "bufnet". A
// target that is statically a host:port without a scheme (a constant,
// net.JoinHostPort, fmt.Sprintf("%s:%d", …), host+":"+port,
// l.Addr().String(), a local variable only ever assigned such values)
// gets a "passthrough:///" prefix, folded into a literal or a Sprintf
// format (exact unless the program calls resolver.SetDefaultScheme, which
// Dial also honoured). A target only known at run time goes through the
// package's dialTarget helper, which makes the test Dial made (keep it
// when url.Parse finds a scheme with a registered resolver, else prefix
// resolver.GetDefaultScheme()), because a blind prefix would break
// "unix:///…" or "dns:///…" targets read from configuration. Blocking:
// NewClient ignores WithBlock, WithReturnConnectionError, WithTimeout and
// FailOnNonTempDialError, so a blocking dial becomes a call of the
// package's newClientAndWait(ctx, target, opts...) (or
// newClientAndWaitTimeout(ctx, timeout, …) for WithTimeout): NewClient
// followed by DialContext's own connect loop under the same bound,
// closing the conn and returning ctx.Err() when it cannot connect. The
// helpers are written once per package into protolift_helpers.go (see
// stage/rewrite/helpers.go), so a blocking dial can sit in any expression.
// With FailOnNonTempDialError(true) (rare) the wait stays inline after
// `conn, err := …` / `return …`, and such a dial elsewhere is reported.
//
// Options passed as `opts...` are followed when opts is built in the same
// function from a literal and appends used by nothing else; blocking
// options are then removed from there. Any option protolift cannot see
// (a parameter, a package variable, a helper of this module that returns
// a DialOption) leaves the whole call untouched and reported: whether the
// dial blocks would be a guess. Dial used as a function value is reported.
var Dial = &rule.Rule{
	Name:    "grpc.dial",
	Doc:     "grpc.Dial/DialContext → NewClient, keeping passthrough resolution and blocking waits",
	Risk:    change.Review,
	Imports: []string{grpcPath},
	Run:     func(p *rule.Pass) { newDialRun(p).run() },
}

type dialRun struct {
	p          *rule.Pass
	in         *rule.Inspector // the file before the rule changed it
	done       map[*dst.CallExpr]bool
	deleteStmt map[dst.Stmt]bool
}

func newDialRun(p *rule.Pass) *dialRun {
	return &dialRun{p: p, in: p.Inspector(), done: map[*dst.CallExpr]bool{}, deleteStmt: map[dst.Stmt]bool{}}
}

// dialPlan is what a Dial call asks for.
type dialPlan struct {
	call      *dst.CallExpr
	isCtx     bool
	ctx       dst.Expr // DialContext's context; nil for Dial
	first     int      // index of the first option
	opts      []*option
	block     bool
	timeout   dst.Expr
	failFast  bool
	returnErr bool
}

func (r *dialRun) isDial(call *dst.CallExpr) (isDial, isCtx bool) {
	f := r.p.Callee(call)
	switch {
	case rule.IsPkgFunc(f, grpcPath, "Dial"):
		return true, false
	case rule.IsPkgFunc(f, grpcPath, "DialContext"):
		return true, true
	}
	return false, false
}

func (r *dialRun) run() {
	p := r.p
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			out = append(out, r.stmt(s)...)
		}
		return out
	})
	called := map[dst.Node]bool{}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.Ident)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if ok, _ := r.isDial(n); !ok || r.done[n] {
				return true
			}
			r.done[n] = true
			pl := r.analyze(n)
			if pl == nil {
				return true
			}
			if pl.block && !r.canHelp(pl) {
				p.Report(n, change.Manual, "not rewritten: this dial blocks until connected, and NewClient never does; the wait must follow the call as statements, which this position has no room for; assign the result first (`conn, err := grpc.Dial(...)`)", "")
				return true
			}
			r.apply(pl)
		case *dst.Ident:
			if f, ok := p.ObjectOf(n).(*types.Func); ok && !called[n] && n.Path != "" &&
				(rule.IsPkgFunc(f, grpcPath, "Dial") || rule.IsPkgFunc(f, grpcPath, "DialContext")) {
				p.Report(n, change.Manual, "not rewritten: grpc."+f.Name()+" is used as a function value; NewClient has another signature and resolves targets differently (dns instead of passthrough), so each use needs a decision", "")
			}
		}
		return true
	})
	if len(r.deleteStmt) > 0 {
		p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
			out := list[:0]
			for _, s := range list {
				if !r.deleteStmt[s] {
					out = append(out, s)
				}
			}
			return out
		})
	}
}

// stmt restructures the statement shapes a blocking dial can live in.
func (r *dialRun) stmt(s dst.Stmt) []dst.Stmt {
	p := r.p
	switch s := s.(type) {
	case *dst.AssignStmt:
		if len(s.Lhs) != 2 {
			break
		}
		call, pl := r.blockingDial(s.Rhs)
		if pl == nil {
			break
		}
		if r.canHelp(pl) {
			r.apply(pl)
			break
		}
		conn, errID := s.Lhs[0], s.Lhs[1]
		if rule.IsBlank(conn) || rule.IsBlank(errID) || !p.SideEffectFree(conn) || !isIdent(errID) {
			p.Report(call, change.Manual, "not rewritten: this dial blocks until connected, and the replacement must wait with the conn and report failure through the error; assign both results to named variables (`conn, err := ...`) first", "")
			break
		}
		fresh := func(base string) string { return p.Names().Fresh(call, base) }
		r.apply(pl)
		w := waitStmt(pl, conn, errID, fresh)
		out := []dst.Stmt{s, w}
		moveAfter(s, w)
		return out
	case *dst.ReturnStmt:
		call, pl := r.blockingDial(s.Results)
		if pl == nil {
			break
		}
		if r.canHelp(pl) {
			r.apply(pl)
			break
		}
		fresh := func(base string) string { return p.Names().Fresh(call, base) }
		conn, errName := fresh("conn"), fresh("err")
		r.apply(pl)
		decl := rule.DefineStmt(rule.Exprs(dst.NewIdent(conn), dst.NewIdent(errName)), call)
		w := waitStmt(pl, dst.NewIdent(conn), dst.NewIdent(errName), fresh)
		ret := &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent(conn), dst.NewIdent(errName)}}
		out := []dst.Stmt{decl, w, ret}
		rule.MoveStmtDecs(s, out)
		w.Decorations().Before = dst.NewLine
		w.Decorations().After = dst.NewLine
		return out
	}
	return []dst.Stmt{s}
}

// blockingDial looks at the single expression a statement assigns or
// returns: a dial there is planned (and marked done); a non-blocking one
// is rewritten in place, and only a blocking one, which needs statements
// around it, is returned with its plan.
func (r *dialRun) blockingDial(exprs []dst.Expr) (*dst.CallExpr, *dialPlan) {
	if len(exprs) != 1 {
		return nil, nil
	}
	call, ok := exprs[0].(*dst.CallExpr)
	if !ok {
		return nil, nil
	}
	if isD, _ := r.isDial(call); !isD {
		return nil, nil
	}
	r.done[call] = true
	pl := r.analyze(call)
	if pl == nil {
		return nil, nil
	}
	if !pl.block {
		r.apply(pl)
		return nil, nil
	}
	return call, pl
}

// moveAfter keeps a trailing line comment and the blank line after s on
// the statement that now ends the replacement.
func moveAfter(s, w dst.Stmt) {
	sd, wd := s.Decorations(), w.Decorations()
	wd.After = sd.After
	sd.After = dst.NewLine
	wd.Before = dst.NewLine
}

// analyze works out what a Dial call asks for, or reports why it is left
// alone and returns nil.
func (r *dialRun) analyze(call *dst.CallExpr) *dialPlan {
	p := r.p
	_, isCtx := r.isDial(call)
	pl := &dialPlan{call: call, isCtx: isCtx, first: 1}
	if isCtx {
		pl.first = 2
		pl.ctx = call.Args[0]
	}
	name := "grpc.Dial"
	if isCtx {
		name = "grpc.DialContext"
	}
	if len(call.Args) < pl.first {
		p.Report(call, change.Manual, "not rewritten: "+name+" call without a target", "")
		return nil
	}
	if _, ok := call.Fun.(*dst.Ident); !ok {
		p.Report(call, change.Manual, "not rewritten: "+name+" is called through an expression protolift does not rename", "")
		return nil
	}
	opts, why, ok := r.options(call, pl.first, funcOf(r.in, call))
	if !ok {
		p.Report(call, change.Manual, "not rewritten: "+why, "")
		return nil
	}
	pl.opts = opts
	for _, o := range opts {
		if o.kind == optBlock || o.kind == optReturnErr {
			if o.conditional {
				p.Report(call, change.Manual, "not rewritten: a blocking option is added on some paths only, so whether the dial waits depends on the run; make the wait explicit by hand (conn.Connect and a WaitForStateChange loop)", "")
				return nil
			}
			pl.block = true
			pl.returnErr = pl.returnErr || o.kind == optReturnErr
		}
	}
	for _, o := range opts {
		oc, _ := o.expr.(*dst.CallExpr)
		switch o.kind {
		case optTimeout:
			if !pl.block {
				continue
			}
			if o.conditional || len(oc.Args) != 1 || !r.p.SideEffectFree(oc.Args[0]) {
				p.Report(call, change.Manual, "not rewritten: the WithTimeout bound of this blocking dial is conditional or has side effects, so it cannot move into the explicit wait unchanged", "")
				return nil
			}
			pl.timeout = oc.Args[0]
		case optFailNonTemp:
			if !pl.block {
				continue
			}
			v, isConst := r.constBool(oc.Args[0])
			if !isConst || o.conditional {
				p.Report(call, change.Manual, "not rewritten: FailOnNonTempDialError's argument is not a constant, so the wait's failure rule is unknown", "")
				return nil
			}
			pl.failFast = pl.failFast || v
		}
	}
	for _, o := range opts {
		if c, ok := o.expr.(*dst.CallExpr); ok && rule.IsPkgFunc(p.Callee(c), grpcPath, "WithResolvers") {
			if plan, _ := r.planTarget(call.Args[pl.first-1]); plan != targetKeep {
				p.Report(call, change.Manual, "not rewritten: WithResolvers registers schemes only this dial knows, so whether Dial fell back to passthrough for this target cannot be decided from the global resolver registry; call grpc.NewClient with an explicit scheme in the target", "")
				return nil
			}
		}
	}
	if isCtx && !r.ctxOK(pl.ctx) {
		p.Report(call, change.Manual, "not rewritten: the context argument is an expression with possible side effects that NewClient does not take; assign it to a variable first", "")
		return nil
	}
	return pl
}

// ctxOK accepts contexts that can be dropped or read later without
// effect: variables, fields, context.Background/TODO, x.Context().
func (r *dialRun) ctxOK(e dst.Expr) bool {
	if r.p.SideEffectFree(e) {
		return true
	}
	c, ok := e.(*dst.CallExpr)
	if !ok || len(c.Args) != 0 {
		return false
	}
	f := r.p.Callee(c)
	if rule.IsPkgFunc(f, "context", "Background") || rule.IsPkgFunc(f, "context", "TODO") {
		return true
	}
	sel, ok := c.Fun.(*dst.SelectorExpr)
	return ok && sel.Sel.Name == "Context" && r.p.SideEffectFree(sel.X)
}

// apply turns the call into NewClient per plan and records the change.
func (r *dialRun) apply(pl *dialPlan) {
	p, call := r.p, pl.call
	if pl.isCtx && !pl.block {
		r.blankUnusedCtx(pl.ctx)
	}
	tIdx := pl.first - 1
	target := call.Args[tIdx]
	plan, val := r.planTarget(target)

	var msg []string
	if pl.isCtx {
		msg = append(msg, "grpc.DialContext → grpc.NewClient")
	} else {
		msg = append(msg, "grpc.Dial → grpc.NewClient")
	}
	switch plan {
	case targetKeep:
		msg = append(msg, "target "+val+" names a resolver both resolve alike")
	case targetPrefix:
		msg = append(msg, `target prefixed with "passthrough:///" to keep Dial's resolver (NewClient defaults to dns)`)
	case targetRuntime:
		msg = append(msg, `target wrapped so it gets Dial's default scheme (passthrough) unless its scheme has a registered resolver, as Dial decided; if it never carries a scheme, simplify to "passthrough:///"+target`)
	}
	var removed []string
	for _, o := range pl.opts {
		if o.kind == optNeutral {
			continue
		}
		removed = append(removed, optName(o.kind))
	}
	if pl.block {
		bound := "no deadline, as before"
		switch {
		case pl.timeout != nil && pl.ctx != nil:
			bound = "the dial context and the WithTimeout duration"
		case pl.timeout != nil:
			bound = "the WithTimeout duration"
		case pl.ctx != nil:
			bound = "the dial context"
		}
		m := "blocking (" + strings.Join(removed, ", ") + ") → explicit wait for READY bounded by " + bound + "; on failure the conn is closed and the error is ctx.Err(), as DialContext returned"
		if pl.returnErr {
			m += " (and no longer carries the last connection error)"
		}
		if pl.failFast {
			m += "; FailOnNonTempDialError(true) now fails on the first TRANSIENT_FAILURE, temporary or not"
		}
		msg = append(msg, m)
	} else {
		if len(removed) > 0 {
			msg = append(msg, "removed "+strings.Join(removed, ", ")+" (no effect without WithBlock)")
		}
		if pl.isCtx {
			msg = append(msg, "its context only bounded a blocking dial and is dropped")
		}
		msg = append(msg, "the connection now starts with the first RPC instead of at once")
	}
	p.Changed(call, change.Review, strings.Join(msg, "; "))

	nt := r.newTarget(plan, target, val)
	if nt != target {
		if _, ok := nt.(*dst.BasicLit); ok {
			rule.MoveDecs(target, nt)
		}
		call.Args[tIdx] = nt
	}
	for _, o := range pl.opts {
		if o.kind != optNeutral {
			o.remove()
		}
	}
	p.Require(grpcModule, minNewClient)
	if pl.block && r.canHelp(pl) && r.helperCall(pl) {
		return
	}
	if pl.isCtx {
		c := call.Args[0]
		call.Args = call.Args[1:]
		d, td := c.Decorations(), call.Args[0].Decorations()
		td.Start = append(append(append(dst.Decorations{}, d.Start...), d.End...), td.Start...)
	}
	call.Fun.(*dst.Ident).Name = "NewClient"
}

func optName(k optKind) string {
	switch k {
	case optBlock:
		return "WithBlock"
	case optReturnErr:
		return "WithReturnConnectionError"
	case optTimeout:
		return "WithTimeout"
	case optFailNonTemp:
		return "FailOnNonTempDialError"
	}
	return ""
}

// blankUnusedCtx keeps the code compiling when NewClient drops a context
// variable that only this dial used (`dCtx, cancel :=
// context.WithTimeout(...)` before `grpc.DialContext(dCtx, ...)`): its
// definition becomes the blank identifier, which keeps the call that made
// it (and so its cancel function) and declares nothing unused.
func (r *dialRun) blankUnusedCtx(ctx dst.Expr) {
	p := r.p
	id, ok := ctx.(*dst.Ident)
	if !ok || id.Path != "" {
		return
	}
	v, ok := p.ObjectOf(id).(*types.Var)
	if !ok || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return
	}
	uses := 0
	for _, o := range p.Info().Uses {
		if o == v {
			uses++
		}
	}
	if uses != 1 {
		return
	}
	var def *ast.Ident
	for a, o := range p.Info().Defs {
		if o == v {
			def = a
		}
	}
	if def == nil {
		return
	}
	dDef, ok := p.Dec.Dst.Nodes[def].(*dst.Ident)
	if !ok {
		return
	}
	p.Inspector().Inspect([]dst.Node{(*dst.AssignStmt)(nil), (*dst.ValueSpec)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.AssignStmt:
			for i, l := range n.Lhs {
				if l != dDef {
					continue
				}
				others := false
				for j, o := range n.Lhs {
					others = others || (j != i && !rule.IsBlank(o) && p.IsNewDef(o))
				}
				p.Changed(l, change.Safe, "the context only the dial used becomes _ (NewClient takes none)")
				n.Lhs[i] = dst.NewIdent("_")
				if n.Tok == token.DEFINE && !others {
					n.Tok = token.ASSIGN
				}
				return false
			}
		case *dst.ValueSpec:
			for i, name := range n.Names {
				if name == dDef {
					p.Changed(name, change.Safe, "the context only the dial used becomes _ (NewClient takes none)")
					n.Names[i] = dst.NewIdent("_")
					return false
				}
			}
		}
		return true
	})
}
