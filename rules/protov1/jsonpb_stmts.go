package protov1

// The statement and expression shapes of protov1.jsonpb (jsonpb.go): where
// a jsonpb call's protojson steps are written out as statements, and the
// calls left in expression position.

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// stmts rewrites the statement shapes where the new steps can be
// written out: `err := call`, `err = call`, `v, err := call` for
// MarshalToString, and `return call`.
func (j *jsonpbPass) stmts(list []dst.Stmt) []dst.Stmt {
	var out []dst.Stmt
	var after dst.Stmt // a conversion that goes after the next statement
	for i, s := range list {
		n := len(out)
		if ifs, ok := s.(*dst.IfStmt); ok {
			if repl := j.hoistIf(list, i, ifs); repl != nil {
				out = append(out, repl...)
			}
		}
		if len(out) == n {
			if repl := j.stmt(s); repl != nil {
				rule.MoveStmtDecs(s, repl)
				if i+1 < len(list) && after == nil {
					if k := len(repl) - 1; k > 0 && j.checkedNext(repl[0], repl[k], list[i+1]) {
						repl, after = repl[:k], repl[k]
						// The error check now sits between the call and
						// the conversion: part of this rewrite.
						j.p.Changed(list[i+1], change.Review, "string conversion moved below the error check")
						// The statement's trailing comment stays on its line.
						d, prev := after.Decorations(), repl[k-1].Decorations()
						prev.End, d.End = append(prev.End, d.End...), nil
						prev.After, d.Before, d.After = d.After, dst.NewLine, dst.NewLine
					}
				}
				out = append(out, repl...)
				continue
			}
			out = append(out, s)
		}
		if after != nil && len(out) > n && out[len(out)-1] == s {
			out = append(out, after)
			after = nil
		}
	}
	if after != nil {
		out = append(out, after)
	}
	return out
}

// checkedNext reports whether conv, the `s := string(b)` step of a
// MarshalToString rewrite whose call is first, can move below next: next
// is `if err != nil {…}` on the call's error and mentions neither the
// converted value nor the bytes. A person converts after the error check;
// string(b) has no effect to keep in place.
func (j *jsonpbPass) checkedNext(first, conv, next dst.Stmt) bool {
	fa, ok := first.(*dst.AssignStmt)
	if !ok || len(fa.Lhs) != 2 {
		return false
	}
	b, ok1 := fa.Lhs[0].(*dst.Ident)
	e, ok2 := fa.Lhs[1].(*dst.Ident)
	ca, ok3 := conv.(*dst.AssignStmt)
	ifs, ok4 := next.(*dst.IfStmt)
	if !ok1 || !ok2 || !ok3 || !ok4 || ifs.Init != nil || len(ca.Lhs) != 1 || len(ca.Rhs) != 1 {
		return false
	}
	v, ok := ca.Lhs[0].(*dst.Ident)
	if !ok || rule.IsBlank(v) {
		return false
	}
	if call, ok := ca.Rhs[0].(*dst.CallExpr); !ok || len(call.Args) != 1 || !isIdentNamed(call.Fun, "string") || !isIdentNamed(call.Args[0], b.Name) {
		return false
	}
	cond, ok := ifs.Cond.(*dst.BinaryExpr)
	if !ok || cond.Op != token.NEQ || !isIdentNamed(cond.X, e.Name) || !isIdentNamed(cond.Y, "nil") {
		return false
	}
	mentions := false
	dst.Inspect(ifs, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Path == "" && (id.Name == v.Name || id.Name == b.Name) {
			mentions = true
		}
		return !mentions
	})
	return !mentions
}

func isIdentNamed(e dst.Expr, name string) bool {
	id, ok := e.(*dst.Ident)
	return ok && id.Path == "" && id.Name == name
}

// declaredHere reports whether the error variable e of the assignment s
// is declared in the scope s itself is in, so that `b, e := …` reuses it
// instead of declaring a new e.
func (j *jsonpbPass) declaredHere(s *dst.AssignStmt, e dst.Expr) bool {
	id, ok := e.(*dst.Ident)
	if !ok || s.Tok != token.ASSIGN {
		return false
	}
	o := j.p.ObjectOf(id)
	orig := j.p.Ast(s)
	if o == nil || o.Parent() == nil || orig == nil || j.p.Pkg.Types == nil {
		return false
	}
	return o.Parent() == j.p.Pkg.Types.Scope().Innermost(orig.Pos())
}

func (j *jsonpbPass) stmt(s dst.Stmt) []dst.Stmt {
	p := j.p
	var c *jcall
	switch s := s.(type) {
	case *dst.AssignStmt:
		if len(s.Rhs) == 1 {
			c = j.match(s.Rhs[0])
		}
	case *dst.ReturnStmt:
		if len(s.Results) == 1 {
			c = j.match(s.Results[0])
		}
	}
	if c == nil || c.kind == "UnmarshalString" || c.kind == "UnmarshalNext" || j.bytesInHand(c) != nil {
		return nil
	}
	if as, ok := s.(*dst.AssignStmt); ok {
		n := 1
		if c.kind == "MarshalToString" {
			n = 2
		}
		if len(as.Lhs) != n {
			return nil
		}
		for _, l := range as.Lhs {
			if !p.SideEffectFree(l) {
				return nil
			}
		}
	}
	pl := j.plan(c)
	if pl == nil {
		return nil
	}
	bName := j.p.Names().Fresh(s, "b", "data")
	b := func() dst.Expr { return dst.NewIdent(bName) }
	switch s := s.(type) {
	case *dst.ReturnStmt:
		e := errName(j.p, s)
		first := rule.DefineStmt(rule.Exprs(b(), dst.NewIdent(e)), pl.first())
		p.Changed(s, change.Review, pl.msg)
		p.Require(protobufModule, minProtobuf)
		if pl.value != nil {
			return []dst.Stmt{first, &dst.ReturnStmt{Results: rule.Exprs(pl.value(b()), dst.NewIdent(e))}}
		}
		check := rule.If(rule.NotNil(dst.NewIdent(e)), &dst.ReturnStmt{Results: rule.Exprs(dst.NewIdent(e))})
		then := pl.then(b(), dst.NewIdent(e)).(*dst.AssignStmt)
		if len(then.Lhs) == 1 {
			// The last step yields just the error: return it directly.
			return []dst.Stmt{first, check, &dst.ReturnStmt{Results: then.Rhs}}
		}
		return []dst.Stmt{first, check, then, &dst.ReturnStmt{Results: rule.Exprs(dst.NewIdent(e))}}
	case *dst.AssignStmt:
		lhsV, lhsE := assignShape(s, pl)
		bExpr := b()
		if pl.value != nil && rule.IsBlank(lhsV) {
			bExpr = dst.NewIdent("_")
		}
		e, fresh := lhsE, false
		if rule.IsBlank(lhsE) && pl.then != nil {
			e, fresh = dst.NewIdent(j.p.Names().Fresh(s, "err")), true
		}
		var out []dst.Stmt
		// When the original := reused err, err lives in this scope, so the
		// new := (which declares the fresh byte slice) reuses it too.
		if s.Tok == token.DEFINE || fresh || j.declaredHere(s, e) {
			// `b, err := …` also when err is assigned (=) but declared in
			// this very scope: := then reuses it, as a person writes.
			out = append(out, rule.DefineStmt(rule.Exprs(bExpr, e), pl.first()))
		} else {
			if !rule.IsBlank(bExpr) {
				out = append(out, rule.VarDecl(bName, &dst.ArrayType{Elt: dst.NewIdent("byte")}))
			}
			out = append(out, rule.AssignStmt(rule.Exprs(bExpr, e), pl.first()))
		}
		if pl.then != nil {
			out = append(out, rule.If(rule.IsNil(rule.Clone(e)), pl.then(b(), rule.Clone(e))))
		}
		if pl.value != nil && !rule.IsBlank(lhsV) {
			out = append(out, j.p.Assign(s, lhsV, pl.value(b())))
		}
		p.Changed(s, change.Review, pl.msg)
		p.Require(protobufModule, minProtobuf)
		return out
	}
	return nil
}

// hoistIf handles `if err := call; cond {`: the steps move before the
// if, which then only tests, when the error variable's name appears in
// no other statement of the block (so moving its declaration out of the
// if cannot clash with or shadow anything).
func (j *jsonpbPass) hoistIf(list []dst.Stmt, i int, ifs *dst.IfStmt) []dst.Stmt {
	as, ok := ifs.Init.(*dst.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	id, ok := as.Lhs[0].(*dst.Ident)
	if !ok || rule.IsBlank(id) {
		return nil
	}
	if c := j.match(as.Rhs[0]); c == nil || c.kind == "MarshalToString" || j.bytesInHand(c) != nil {
		return nil
	}
	for k, other := range list {
		if k != i && mentions(other, id.Name) {
			return nil
		}
	}
	repl := j.stmt(as)
	if repl == nil {
		return nil
	}
	ifs.Init = nil
	rule.MoveStmtDecs(ifs, repl)
	ifs.Decs.Before, ifs.Decs.Start = dst.NewLine, nil
	return append(repl, ifs)
}

// expressions rewrites the calls left in expression position: the
// single-expression forms directly, the others as an immediately called
// function literal holding the steps.
func assignShape(s *dst.AssignStmt, pl *plan) (v, e dst.Expr) {
	if pl.value != nil {
		return s.Lhs[0], s.Lhs[1]
	}
	return nil, s.Lhs[0]
}

func (j *jsonpbPass) expressions() {
	p := j.p
	called := map[dst.Node]bool{}
	visit := func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			called[n.Fun] = true
			if sel, ok := n.Fun.(*dst.SelectorExpr); ok {
				called[sel.Sel] = true
			}
			c := j.match(n)
			if c == nil {
				return true
			}
			j.expr(c)
			return true
		case *dst.Ident:
			if n.Path != v1Jsonpb {
				return true
			}
			switch o := p.ObjectOf(n).(type) {
			case *types.Func:
				if !called[n] {
					p.Report(n, change.Manual, "not rewritten: jsonpb."+o.Name()+" is used as a function value; its protojson replacement has another signature", "")
				}
			case *types.TypeName:
				switch o.Name() {
				case "JSONPBMarshaler", "JSONPBUnmarshaler":
					p.Report(n, change.Manual, "jsonpb."+o.Name()+" has no protojson counterpart: protojson never calls MarshalJSONPB/UnmarshalJSONPB hooks", "make the type a real protobuf message (protoreflect) or convert it to and from a generated message around the protojson call")
				case "AnyResolver":
					p.Report(n, change.Manual, "jsonpb.AnyResolver has no protojson counterpart: protojson resolves Any types through a protoregistry.MessageTypeResolver + ExtensionTypeResolver (e.g. *protoregistry.Types)", "")
				}
			}
		}
		return true
	}
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.Ident)(nil)}, visit)
}

// bytesInHand returns the bytes a jsonpb Unmarshal call reads when its
// reader is bytes.NewReader(b) or bytes.NewBuffer(b) of a []byte, or
// strings.NewReader(s) ([]byte(s)): protojson takes them directly, with no
// io.ReadAll step. The rewrite reads the whole input either way (and
// rejects trailing data, unlike jsonpb's decoder).
func (j *jsonpbPass) bytesInHand(c *jcall) dst.Expr {
	if c.kind != "Unmarshal" || len(c.call.Args) != 2 {
		return nil
	}
	r, ok := c.call.Args[0].(*dst.CallExpr)
	if !ok || len(r.Args) != 1 || r.Ellipsis {
		return nil
	}
	f := j.p.Callee(r)
	switch {
	case rule.IsPkgFunc(f, "bytes", "NewReader"), rule.IsPkgFunc(f, "bytes", "NewBuffer"):
		return r.Args[0]
	case rule.IsPkgFunc(f, "strings", "NewReader"):
		return &dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: rule.Exprs(r.Args[0])}
	}
	return nil
}

// expr rewrites one call in expression position.
func (j *jsonpbPass) expr(c *jcall) {
	p := j.p
	call := c.call
	if b := j.bytesInHand(c); c.kind == "UnmarshalString" || b != nil {
		if len(call.Args) != 2 {
			return
		}
		s, m := call.Args[0], call.Args[1]
		if b != nil {
			s = b
		}
		if j.handWritten(c, m) {
			return
		}
		decode := j.decoder(c, m)
		if decode == nil {
			p.Report(call, change.Manual, "not rewritten: jsonpb merged into a message that may hold data, and the helper that keeps that cannot be added to this package", "")
			return
		}
		if b != nil {
			p.Changed(call, change.Review, "jsonpb.Unmarshal of bytes already in hand → protojson on those bytes (same merge semantics kept; rejects trailing data; error texts differ)")
		} else {
			p.Changed(call, change.Review, "jsonpb.UnmarshalString → protojson (same merge semantics kept; error texts differ)")
		}
		data := dst.Expr(&dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: rule.Exprs(s)})
		if b != nil {
			data = b
		}
		repl := decode(data)
		rule.MoveDecs(call, repl)
		*call = *repl.(*dst.CallExpr)
		p.Require(protobufModule, minProtobuf)
		return
	}
	pl := j.plan(c)
	if pl == nil {
		return
	}
	bName := j.p.Names().Fresh(call, "b", "data")
	eName := j.p.Names().Fresh(call, "err")
	b, e := func() dst.Expr { return dst.NewIdent(bName) }, func() dst.Expr { return dst.NewIdent(eName) }
	var fl *dst.CallExpr
	switch {
	case c.kind == "UnmarshalNext":
		raw := rule.VarDecl(bName, rule.QualifiedIdent("encoding/json", "RawMessage"))
		dec := rule.Call(rule.Sel(call.Args[0], "Decode"), &dst.UnaryExpr{Op: token.AND, X: b()})
		fl = rule.Closure(rule.Exprs(errorType()),
			raw,
			&dst.IfStmt{Init: rule.DefineStmt(rule.Exprs(e()), dec), Cond: rule.NotNil(e()), Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: rule.Exprs(e())}}}},
			&dst.ReturnStmt{Results: rule.Exprs(pl.then(b(), e()).(*dst.AssignStmt).Rhs[0])})
	case pl.value != nil:
		fl = rule.Closure(rule.Exprs(dst.NewIdent("string"), errorType()),
			rule.DefineStmt(rule.Exprs(b(), e()), pl.first()),
			&dst.ReturnStmt{Results: rule.Exprs(pl.value(b()), e())})
	default:
		body := []dst.Stmt{rule.DefineStmt(rule.Exprs(b(), e()), pl.first()), rule.If(rule.NotNil(e()), &dst.ReturnStmt{Results: rule.Exprs(e())})}
		if then := pl.then(b(), e()).(*dst.AssignStmt); len(then.Lhs) == 1 {
			body = append(body, &dst.ReturnStmt{Results: then.Rhs})
		} else {
			body = append(body, then, &dst.ReturnStmt{Results: rule.Exprs(e())})
		}
		fl = rule.Closure(rule.Exprs(errorType()), body...)
	}
	p.Changed(call, change.Review, pl.msg)
	rule.MoveDecs(call, fl)
	*call = *fl
	p.Require(protobufModule, minProtobuf)
}
