package protov1

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// ProtoExtensions moves the extension API of github.com/golang/protobuf/proto
// to google.golang.org/protobuf (spec A.1 extension rows, A.7):
//
//	proto.HasExtension(m, xt), ClearExtension(m, xt)  →  same names in APIv2
//	v, err := proto.GetExtension(m, xt); if err != nil {…}
//	    →  v := proto.GetExtension(m, xt); if !proto.HasExtension(m, xt) {…}
//	…; if err == proto.ErrMissingExtension {…; return}; if err != nil {…}
//	    →  …; if !proto.HasExtension(m, xt) {…; return}   (second if dropped)
//	…; switch { case err == proto.ErrMissingExtension: A; case err != nil: B; default: C }
//	    →  …; if !proto.HasExtension(m, xt) { A } else { C }
//	if !proto.HasExtension(m, xt) {…; return}; v, err := …; if err != nil {…}
//	    →  the err test is dropped (no second guard), also when its body
//	       wraps or returns err (`return nil, fmt.Errorf("…: %w", err)`)
//	v, _ := proto.GetExtension(m, xt)                  →  v := proto.GetExtension(m, xt)
//	*v.(*int32)                                        →  v.(int32)
//	s, ok := v.(*string); if !ok || s == nil {…}; *s   →  s, ok := v.(string); if !ok {…}; s
//	proto.SetExtension(m, xt, proto.Int32(5))          →  proto.SetExtension(m, xt, int32(5))
//	if err := proto.SetExtension(…); err != nil {…}    →  proto.SetExtension(…)
//	other uses of SetExtension's error                 →  func() (err error) { defer recover-to-err; proto.SetExtension(…); return nil }()
//	proto.RegisterExtension(d)                         →  if err := protoregistry.GlobalTypes.RegisterExtension(d); err != nil { panic(err) }
//	proto.ExtensionDesc (the type)                     →  protoimpl.ExtensionInfo (the same type;
//	                                                      an embedded field is kept: its name would change)
//
// Messages that only implement the v1 interface (golang/protobuf <= v1.3
// generated code) are wrapped with protoadapt.MessageV2Of, in the
// HasExtension guards the rule writes too.
//
// GetExtension loses its error: the only error a correct program saw was
// ErrMissingExtension, so a check of the error becomes a HasExtension
// guard; the other v1 errors (a non-extendable message, a mismatched
// extension) are panics in APIv2, so a branch left to catch them is dead
// and dropped. After an `if !proto.HasExtension(m, xt) {…; return}`
// guard for the same message and extension, v1's error test right after
// the call could only run for a mismatched extension (or malformed bytes
// of a message that is not well-formed): its whole branch, however it
// uses err, is dropped rather than kept as dead code, because a kept
// branch would have to test something APIv2 no longer reports, and an
// `if false` or a comment would only say less clearly what the change
// record says. Scalar and enum extensions are values instead of pointers
// in APIv2, so a GetExtension call is rewritten only when every use of
// its value is: pointer assertions dereferenced on the spot, comma-ok
// pointer assertions whose pointer is only dereferenced or tested against
// nil next to ok (v1 never returned a nil pointer, so s == nil is !ok),
// and assertions to message or slice types (the same in both). Any other
// use (a pointer that escapes or is written through, a type switch, a use
// without assertion) leaves the call and its error tests unchanged and is
// reported: rewriting the call alone would make the assertion fail at run
// time without a word. SetExtension can no longer fail (it panics on a
// type mismatch), so its error branch is dropped; where the error is used
// otherwise (a test expecting the failure, a returned error), the panic is
// recovered into the error; scalar pointer arguments become values.
//
// Risk "review": HasExtension no longer sees extensions kept only as
// unknown fields; an absent extension with a declared default made v1's
// GetExtension succeed where the guard now takes the missing branch;
// ClearExtension panics where v1 silently did nothing; a recovered
// SetExtension error has APIv2's panic text. GetExtensions,
// ClearAllExtensions, ExtensionDescs, RegisteredExtensions, other uses of
// ErrMissingExtension and any shape not listed above are reported with a
// suggested replacement (the spec's class R rows whose loops and callbacks
// cannot be produced faithfully inline).
var ProtoExtensions = &rule.Rule{
	Name:    "protov1.proto.extensions",
	Doc:     "proto.Has/Clear/Get/SetExtension and RegisterExtension → APIv2, error results turned into HasExtension guards",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoExtensions,
}

var extReports = map[string][2]string{
	"GetExtensions": {"proto.GetExtensions has no APIv2 function: call proto.GetExtension per descriptor (v1 left nil for missing ones)",
		"vs := make([]any, len(xts))\nfor i, xt := range xts {\n\tif proto.HasExtension(m, xt) {\n\t\tvs[i] = proto.GetExtension(m, xt)\n\t}\n}"},
	"ClearAllExtensions": {"proto.ClearAllExtensions has no APIv2 function: clear every extension field (v1 also dropped unknown fields in extension ranges)",
		"mr := m.ProtoReflect()\nmr.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {\n\tif fd.IsExtension() {\n\t\tmr.Clear(fd)\n\t}\n\treturn true\n})"},
	"ExtensionDescs": {"proto.ExtensionDescs has no APIv2 function: iterate the populated extensions with proto.RangeExtensions (v1 also listed unknown fields in extension ranges)",
		"proto.RangeExtensions(m, func(xt protoreflect.ExtensionType, v any) bool {\n\t// use xt\n\treturn true\n})"},
	"RegisteredExtensions": {"proto.RegisteredExtensions has no APIv2 function: iterate the registry (a callback instead of a map)",
		"protoregistry.GlobalTypes.RangeExtensionsByMessage(m.ProtoReflect().Descriptor().FullName(), func(xt protoreflect.ExtensionType) bool {\n\t// use xt\n\treturn true\n})"},
	"SetRawExtension": {"proto.SetRawExtension has no APIv2 function: append the encoded field to the unknown fields (v1 first cleared the field number)",
		"mr := m.ProtoReflect()\nmr.SetUnknown(append(mr.GetUnknown(), b...))"},
}

type extPass struct {
	*rule.Pass
	done map[*dst.CallExpr]bool
	// values are the planned edits of the uses of rewritten GetExtension
	// results, applied once every statement has been handled.
	values []*valuePlan
}

func runProtoExtensions(p *rule.Pass) {
	x := &extPass{Pass: p, done: map[*dst.CallExpr]bool{}}
	rule.StmtLists(p.File, func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for i := 0; i < len(list); i++ {
			stmts, skip := x.stmt(list, i)
			out = append(out, stmts...)
			i += skip
		}
		return out
	})
	x.fixValueUses()
	embedded := embeddedTypes(p.File)
	dst.Inspect(p.File, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.Ident:
			name, o := v1ProtoRef(p, n)
			switch {
			case name == "ExtensionDesc":
				if _, ok := o.(*types.TypeName); ok && embedded[n] {
					reportEmbedded(p, n, "proto.ExtensionDesc", "protoimpl.ExtensionInfo")
				} else if ok {
					p.Changed(n, change.Safe, "proto.ExtensionDesc → protoimpl.ExtensionInfo (the same type)")
					n.Path, n.Name = "google.golang.org/protobuf/runtime/protoimpl", "ExtensionInfo"
					p.Require(protobufModule, minProtobuf)
				}
			case name == "ErrMissingExtension":
				p.Report(n, change.Manual, "not rewritten: APIv2 has no ErrMissingExtension (GetExtension returns the default value); test proto.HasExtension(m, xt) instead", "")
			case extReports[name][0] != "":
				p.Report(n, change.Manual, extReports[name][0], extReports[name][1])
			}
		case *dst.CallExpr:
			if x.done[n] {
				return true
			}
			switch name := v1ProtoFunc(p.Callee(n)); name {
			case "HasExtension", "ClearExtension":
				id, ok := unparen(n.Fun).(*dst.Ident)
				if !ok || len(n.Args) != 2 {
					return true
				}
				msg := "proto.HasExtension → APIv2 (extensions held only as unknown fields are no longer reported; false if xt does not extend m)"
				if name == "ClearExtension" {
					msg = "proto.ClearExtension → APIv2 (panics if xt does not extend m or m is invalid, where v1 did nothing)"
				}
				p.Changed(n, change.Review, msg)
				n.Args[0] = v2Arg(p, n.Args[0])
				toV2Proto(p, id)
			case "SetExtension":
				x.setExtValue(n)
			case "GetExtension", "RegisterExtension":
				p.Report(n, change.Manual, "not rewritten: proto."+name+" changes its results in APIv2 and this use has no place for that; see the rule's documented shapes", "")
			}
		}
		return true
	})
	funcValues(p, func(name string) bool {
		return name == "GetExtension" || name == "SetExtension" || name == "HasExtension" || name == "ClearExtension" || name == "RegisterExtension"
	}, "its APIv2 replacement has a different signature; wrap it in a func literal")
}

// extCall returns the matched v1 extension call that is the only value
// of exprs, or nil.
func (x *extPass) extCall(exprs []dst.Expr, name string) *dst.CallExpr {
	if len(exprs) != 1 {
		return nil
	}
	c, ok := exprs[0].(*dst.CallExpr)
	if !ok || x.done[c] || v1ProtoFunc(x.Callee(c)) != name {
		return nil
	}
	return c
}

// stmt rewrites list[i] (and possibly the statements after it, counted by
// skip) when it is one of the supported statement shapes.
func (x *extPass) stmt(list []dst.Stmt, i int) (out []dst.Stmt, skip int) {
	s := list[i]
	keep := []dst.Stmt{s}
	switch s := s.(type) {
	case *dst.AssignStmt:
		if call := x.extCall(s.Rhs, "GetExtension"); call != nil && len(s.Lhs) == 2 {
			if out, skip, ok := x.getExt(s, call, list, i); ok {
				return out, skip
			}
			return keep, 0
		}
		if call := x.extCall(s.Rhs, "SetExtension"); call != nil && len(s.Lhs) == 1 {
			if rule.IsBlank(s.Lhs[0]) {
				return x.setExt(s, call, nil), 0
			}
			if i+1 < len(list) {
				if next, ok := list[i+1].(*dst.IfStmt); ok && x.droppableErrCheck(s, next) {
					return x.setExt(s, call, next), 1
				}
			}
		}
	case *dst.ExprStmt:
		if call := x.extCall([]dst.Expr{s.X}, "SetExtension"); call != nil {
			return x.setExt(s, call, nil), 0
		}
		if call := x.extCall([]dst.Expr{s.X}, "RegisterExtension"); call != nil && len(call.Args) == 1 {
			x.Changed(s, change.Safe, "proto.RegisterExtension → protoregistry.GlobalTypes.RegisterExtension (v1 panicked on a conflict; the panic is kept)")
			x.done[call] = true
			reg := rule.Call(rule.Sel(rule.QualifiedIdent(v2Protoregistry, "GlobalTypes"), "RegisterExtension"), call.Args...)
			errID := dst.NewIdent("err")
			out := &dst.IfStmt{
				Init: &dst.AssignStmt{Lhs: []dst.Expr{errID}, Tok: token.DEFINE, Rhs: []dst.Expr{reg}},
				Cond: &dst.BinaryExpr{X: dst.NewIdent("err"), Op: token.NEQ, Y: dst.NewIdent("nil")},
				Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: rule.Call(dst.NewIdent("panic"), dst.NewIdent("err"))}}},
			}
			rule.MoveStmtDecs(s, []dst.Stmt{out})
			x.Require(protobufModule, minProtobuf)
			return []dst.Stmt{out}, 0
		}
	case *dst.IfStmt:
		if as, ok := s.Init.(*dst.AssignStmt); ok {
			if call := x.extCall(as.Rhs, "GetExtension"); call != nil && len(as.Lhs) == 2 {
				if out, ok := x.getExtInit(as, call, s, list); ok {
					return out, 0
				}
				return keep, 0
			}
			if call := x.extCall(as.Rhs, "SetExtension"); call != nil && len(as.Lhs) == 1 && x.droppableErrCheck(as, s) {
				return x.setExt(s, call, s), 0
			}
		}
	case *dst.ReturnStmt:
		if call := x.extCall(s.Results, "SetExtension"); call != nil && x.returnsOnlyError(call) {
			out := x.setExt(s, call, nil)
			// setExt gave the call all of s's comments: the trailing ones
			// belong after the return.
			ret := &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}}
			d := out[0].Decorations()
			ret.Decs.End, ret.Decs.After = d.End, d.After
			d.End, d.After = nil, dst.NewLine
			ret.Decs.Before = dst.NewLine
			return append(out, ret), 0
		}
	}
	return keep, 0
}

// uses counts the identifiers that refer to obj, its definition excluded.
func (x *extPass) uses(obj types.Object) int {
	n := 0
	dst.Inspect(x.File, func(node dst.Node) bool {
		if id, ok := node.(*dst.Ident); ok && id.Path == "" && x.ObjectOf(id) == obj && !x.IsNewDef(id) {
			n++
		}
		return true
	})
	return n
}

func (x *extPass) countUse(n dst.Node, obj types.Object) int {
	if id, ok := n.(*dst.Ident); ok && id.Path == "" && x.ObjectOf(id) == obj && !x.IsNewDef(id) {
		return 1
	}
	return 0
}

// usesOf returns the identifiers referring to obj, its definition excluded.
func (x *extPass) usesOf(obj types.Object) []*dst.Ident {
	var out []*dst.Ident
	dst.Inspect(x.File, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && x.countUse(id, obj) == 1 {
			out = append(out, id)
		}
		return true
	})
	return out
}

// parents maps every node under root to its parent.
func parents(root dst.Node) map[dst.Node]dst.Node {
	out := map[dst.Node]dst.Node{}
	var stack []dst.Node
	dst.Inspect(root, func(n dst.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if len(stack) > 0 {
			out[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})
	return out
}

// usesName reports whether e mentions an unqualified identifier name.
func usesName(e dst.Expr, name string) bool {
	found := false
	dst.Inspect(e, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Path == "" && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// universal reports whether name, written at n, is the predeclared
// identifier.
func (x *extPass) universal(n dst.Node, name string) bool {
	a := x.Ast(n)
	if a == nil {
		return false
	}
	scope := x.Pkg.Types.Scope().Innermost(a.Pos())
	if scope == nil {
		return false
	}
	_, o := scope.LookupParent(name, a.Pos())
	return o != nil && o.Parent() == types.Universe
}
