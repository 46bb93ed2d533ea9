package protov1

import (
	_ "embed"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rewrite/rule"
)

// Jsonpb moves github.com/golang/protobuf/jsonpb to
// google.golang.org/protobuf/encoding/protojson (spec A.2):
//
//	jsonpb.Marshaler{OrigName, EnumsAsInts, EmitDefaults, Indent}
//	    → protojson.MarshalOptions{UseProtoNames, UseEnumNumbers, EmitUnpopulated, Indent}
//	jsonpb.Unmarshaler{AllowUnknownFields} → protojson.UnmarshalOptions{DiscardUnknown}
//	err := o.Marshal(w, m)       → b, err := o.Marshal(m); if err == nil { _, err = w.Write(b) }
//	s, err := o.MarshalToString(m) → b, err := o.Marshal(m); s := string(b)
//	err := jsonpb.Unmarshal(r, m) / u.Unmarshal(r, m)
//	                             → b, err := io.ReadAll(r); if err == nil { err = protojson.Unmarshal(b, m) }
//	jsonpb.UnmarshalString(s, m) → protojson.Unmarshal([]byte(s), m)
//	jsonpb.UnmarshalNext(d, m)   → decode a json.RawMessage from d, then unmarshal it
//
// jsonpb merged into the target message and protojson resets it. Where
// the target provably holds no data (new(T), &T{}, a fresh variable) the
// plain protojson call is equivalent; elsewhere the rule calls
// protojsonMergeUnmarshal, a helper it adds once per package (in the
// first file that needs it) that reproduces jsonpb's merge semantics.
// Other differences make the risk "review": protojson's output
// whitespace is unstable, it rejects an Indent with other than spaces and
// tabs (reported for literals), it ignores JSONPBMarshaler hooks, reads
// the whole reader and rejects trailing data where jsonpb read one value,
// and errors on a top-level null for a fresh target. Messages that only
// implement the v1 interface are wrapped with protoadapt.MessageV2Of.
// Output: protojson adds spaces jsonpb never printed (after `,` in
// compact output, a second one after `:` when indented), so every
// rewritten Marshal/MarshalToString gets a warning diagnostic saying so,
// and a call whose output its function compares (==, bytes.Equal,
// reflect.DeepEqual, cmp.Diff, testify Equal, a golden file; followed
// through local variables) or any call under -keep-output-format keeps
// jsonpb.Marshaler for the package, with the reason (output_format.go).
// The option structs change type in the whole package or not at all: an
// AnyResolver field (a different interface in v2), unkeyed literals,
// embedding, method values or values passed to other packages keep the
// package on jsonpb and are reported, and so do values that flow
// anywhere but a variable, field, parameter or result of the option type
// itself (the package's own Marshaler interface, any, a comparison),
// types defined on the struct (`type JSONPb jsonpb.Marshaler`) and
// exported variables, fields, functions and methods whose type mentions
// it, because changing those changes the package's exported API (see
// option_flow.go). Calls whose writer, target or
// receiver would be evaluated at another time are reported.
// JSONPBMarshaler/JSONPBUnmarshaler and AnyResolver are reported (class
// X: protojson never calls such hooks).
var Jsonpb = &rule.Rule{
	Name:    "protov1.jsonpb",
	Doc:     "jsonpb → protojson: option structs, Marshal/MarshalToString/Unmarshal/UnmarshalString/UnmarshalNext with jsonpb's merge semantics kept",
	Risk:    change.Review,
	Imports: []string{v1Jsonpb},
	Run:     runJsonpb,
}

//go:embed jsonpbmerge/merge.go
var mergeHelperSrc string

// mergeHelper is protojsonMergeUnmarshal, written once per package into
// protolift_helpers.go (rule.Helper) for the Unmarshal calls whose target
// may already hold data.
var mergeHelper = func() *rule.Helper {
	f, err := parser.ParseFile(token.NewFileSet(), "merge.go", mergeHelperSrc, parser.ImportsOnly)
	if err != nil {
		panic("protolift's merge helper does not parse: " + err.Error())
	}
	h := &rule.Helper{Name: mergeHelperName, Requires: map[string]string{protobufModule: minProtobuf}}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		h.Imports = append(h.Imports, path)
	}
	h.Decl = mergeHelperSrc[strings.Index(mergeHelperSrc, "// "+mergeHelperName+" decodes"):]
	return h
}()

var (
	jsonpbMarshaler = &optionStruct{
		name:    "Marshaler",
		fields:  map[string]string{"OrigName": "UseProtoNames", "EnumsAsInts": "UseEnumNumbers", "EmitDefaults": "EmitUnpopulated", "Indent": "Indent", "AnyResolver": ""},
		methods: map[string]bool{"Marshal": true, "MarshalToString": true},
	}
	jsonpbUnmarshaler = &optionStruct{
		name:    "Unmarshaler",
		fields:  map[string]string{"AllowUnknownFields": "DiscardUnknown", "AnyResolver": ""},
		methods: map[string]bool{"Unmarshal": true, "UnmarshalNext": true},
	}
)

type jsonpbPass struct {
	p       *rule.Pass
	blocked map[string]bool        // struct name → kept on jsonpb
	done    map[*dst.CallExpr]bool // reported, not to be looked at again
}

func runJsonpb(p *rule.Pass) {
	j := &jsonpbPass{p: p, blocked: map[string]bool{}, done: map[*dst.CallExpr]bool{}}
	for _, s := range []*optionStruct{jsonpbMarshaler, jsonpbUnmarshaler} {
		if uses := s.blockers(p, unrewritableCall(p, s.name)); len(uses) > 0 {
			j.blocked[s.name] = true
			s.reportBlocked(p, uses)
		}
	}
	j.reportIndent()
	j.warnOutput()
	// Statement shapes first, while the original nodes still carry types.
	rule.StmtLists(p.File, j.stmts)
	j.expressions()
	for _, s := range []*optionStruct{jsonpbMarshaler, jsonpbUnmarshaler} {
		if !j.blocked[s.name] {
			to := map[string]string{"Marshaler": "MarshalOptions", "Unmarshaler": "UnmarshalOptions"}[s.name]
			s.retype(p, to)
		}
	}
}

// reportIndent flags Indent literals protojson would reject at run time.
func (j *jsonpbPass) reportIndent() {
	if j.blocked["Marshaler"] {
		return
	}
	check := func(n dst.Node, v dst.Expr) {
		lit, ok := v.(*dst.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil && strings.Trim(s, " \t") != "" {
			j.p.Report(n, change.Review, "protojson rejects an Indent containing anything but spaces and tabs (Marshal returns an error); change the indent", "")
		}
	}
	dst.Inspect(j.p.File, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CompositeLit:
			if !rule.IsNamed(j.p.TypeOf(n), v1Jsonpb, "Marshaler") {
				return true
			}
			for _, e := range n.Elts {
				if kv, ok := e.(*dst.KeyValueExpr); ok {
					if k, ok := kv.Key.(*dst.Ident); ok && k.Name == "Indent" {
						check(kv, kv.Value)
					}
				}
			}
		case *dst.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if sel, ok := l.(*dst.SelectorExpr); ok && sel.Sel.Name == "Indent" && rule.IsNamed(j.p.TypeOf(sel.X), v1Jsonpb, "Marshaler") {
						check(n, n.Rhs[i])
					}
				}
			}
		}
		return true
	})
}

// jcall is one recognised jsonpb call.
type jcall struct {
	call *dst.CallExpr
	kind string   // Marshal, MarshalToString, Unmarshal, UnmarshalString, UnmarshalNext
	recv dst.Expr // option value, nil for package functions
}

func (j *jsonpbPass) match(e dst.Expr) *jcall {
	call, ok := e.(*dst.CallExpr)
	if !ok || j.p.Ast(call) == nil || j.done[call] {
		return nil
	}
	f := j.p.Callee(call)
	if f == nil || f.Pkg() == nil || f.Pkg().Path() != v1Jsonpb {
		return nil
	}
	switch {
	case rule.IsPkgFunc(f, v1Jsonpb, f.Name()):
		switch f.Name() {
		case "Unmarshal", "UnmarshalString", "UnmarshalNext":
			return &jcall{call: call, kind: f.Name()}
		}
	case rule.IsMethod(f, v1Jsonpb, "Marshaler", f.Name()) && !j.blocked["Marshaler"],
		rule.IsMethod(f, v1Jsonpb, "Unmarshaler", f.Name()) && !j.blocked["Unmarshaler"]:
		sel, ok := call.Fun.(*dst.SelectorExpr)
		if !ok {
			return nil
		}
		return &jcall{call: call, kind: f.Name(), recv: sel.X}
	}
	return nil
}

// plan is a jsonpb call split into its protojson steps: first yields
// (bytes, error); then (if any) consumes the bytes and sets the error;
// value (MarshalToString) turns the bytes into the call's value.
type plan struct {
	first func() dst.Expr
	then  func(b, e dst.Expr) dst.Stmt
	value func(b dst.Expr) dst.Expr
	msg   string
}

// plan builds the steps of c, or reports why it cannot and returns nil.
func (j *jsonpbPass) plan(c *jcall) *plan {
	p := j.p
	args := c.call.Args
	switch c.kind {
	case "Marshal":
		if len(args) != 2 {
			return nil
		}
		if j.handWritten(c, args[1]) {
			return nil
		}
		w, m := args[0], v2Arg(p, args[1])
		if !p.SideEffectFree(w) {
			j.done[c.call] = true
			p.Report(c.call, change.Manual, "not rewritten: the writer expression would be evaluated after marshalling (and not at all on error); assign it to a variable first", "")
			return nil
		}
		// &buf.Write(b) reads better as buf.Write(b): same method set.
		if u, ok := w.(*dst.UnaryExpr); ok && u.Op == token.AND {
			if _, lit := u.X.(*dst.CompositeLit); !lit {
				w = u.X
			}
		}
		return &plan{
			first: func() dst.Expr { return rule.Call(rule.Sel(c.recv, "Marshal"), m) },
			then: func(b, e dst.Expr) dst.Stmt {
				return rule.AssignStmt(rule.Exprs(dst.NewIdent("_"), e), rule.Call(rule.Sel(w, "Write"), b))
			},
			msg: "jsonpb Marshal(w, m) → protojson Marshal(m) + w.Write (output whitespace is not stable; a nil message gives {} instead of an error; JSONPBMarshaler hooks are not called)",
		}
	case "MarshalToString":
		if len(args) != 1 {
			return nil
		}
		if j.handWritten(c, args[0]) {
			return nil
		}
		m := v2Arg(p, args[0])
		return &plan{
			first: func() dst.Expr { return rule.Call(rule.Sel(c.recv, "Marshal"), m) },
			value: func(b dst.Expr) dst.Expr { return &dst.CallExpr{Fun: dst.NewIdent("string"), Args: rule.Exprs(b)} },
			msg:   "jsonpb MarshalToString → protojson Marshal + string (output whitespace is not stable; JSONPBMarshaler hooks are not called)",
		}
	case "Unmarshal", "UnmarshalNext":
		if len(args) != 2 {
			return nil
		}
		src, m := args[0], args[1]
		if j.handWritten(c, m) {
			return nil
		}
		if !p.SideEffectFree(m) || (c.recv != nil && !p.SideEffectFree(c.recv)) {
			j.done[c.call] = true
			p.Report(c.call, change.Manual, "not rewritten: the message or options expression would be evaluated after reading the input (and not at all on a read error); assign it to a variable first", "")
			return nil
		}
		decode := j.decoder(c, m)
		if decode == nil {
			j.done[c.call] = true
			p.Report(c.call, change.Manual, "not rewritten: jsonpb merged into a message that may hold data, and the helper that keeps that cannot be added to this package", "")
			return nil
		}
		if c.kind == "Unmarshal" {
			return &plan{
				first: func() dst.Expr { return rule.Call(rule.QualifiedIdent("io", "ReadAll"), src) },
				then:  func(b, e dst.Expr) dst.Stmt { return rule.AssignStmt(rule.Exprs(e), decode(b)) },
				msg:   "jsonpb Unmarshal(r, m) → io.ReadAll + protojson (reads the whole input and rejects trailing data; a top-level null is an error for a fresh target)",
			}
		}
		return &plan{
			msg: "jsonpb UnmarshalNext → json.Decoder.Decode into a json.RawMessage + protojson",
			first: func() dst.Expr {
				return nil // UnmarshalNext is built by nextClosure
			},
			then: func(b, e dst.Expr) dst.Stmt { return rule.AssignStmt(rule.Exprs(e), decode(b)) },
		}
	}
	return nil
}

// handWritten refuses c when its message can be a hand-written v1
// message (handwritten.go): jsonpb called such a type's own
// MarshalJSONPB/UnmarshalJSONPB methods (and, up to golang/protobuf v1.3,
// read its struct fields); protojson sees a descriptor without fields and
// prints {} (TestHandWrittenJSONLosesData).
func (j *jsonpbPass) handWritten(c *jcall, m dst.Expr) bool {
	why, warn := jsonTextRisk(j.p, m)
	if warn != "" {
		j.p.Report(c.call, change.Review, warn+": protojson would print it as {} and ignore its MarshalJSONPB/UnmarshalJSONPB methods", "")
	}
	if why == "" {
		return false
	}
	j.done[c.call] = true
	j.p.Report(c.call, change.Manual, "not rewritten: "+why+"; protojson would print it as {} and ignore its MarshalJSONPB/UnmarshalJSONPB methods", "")
	return true
}

// decoder returns a builder of the protojson decoding of bytes b into m
// for c: plain protojson when m is provably fresh, else the merge helper.
func (j *jsonpbPass) decoder(c *jcall, m dst.Expr) func(b dst.Expr) dst.Expr {
	p := j.p
	fresh := freshTarget(p.Info(), p.AstFile, p.Ast(m).(ast.Expr))
	mv := v2Arg(p, m)
	opts := func() dst.Expr {
		if c.recv == nil {
			return &dst.CompositeLit{Type: rule.QualifiedIdent(v2Protojson, "UnmarshalOptions")}
		}
		if _, isPtr := p.TypeOf(c.recv).(*types.Pointer); isPtr {
			// (&jsonpb.Unmarshaler{...}).Unmarshal: pass the literal itself.
			x := c.recv
			for {
				par, ok := x.(*dst.ParenExpr)
				if !ok {
					break
				}
				x = par.X
			}
			if u, ok := x.(*dst.UnaryExpr); ok && u.Op == token.AND {
				return rule.Clone(u.X)
			}
			return &dst.StarExpr{X: rule.Clone(c.recv)}
		}
		return rule.Clone(c.recv)
	}
	if fresh {
		return func(b dst.Expr) dst.Expr {
			if c.recv == nil {
				return rule.Call(rule.QualifiedIdent(v2Protojson, "Unmarshal"), b, mv)
			}
			return rule.Call(rule.Sel(c.recv, "Unmarshal"), b, mv)
		}
	}
	name := p.Helper(mergeHelper)
	if name == "" {
		return nil
	}
	return func(b dst.Expr) dst.Expr { return rule.Call(dst.NewIdent(name), opts(), b, mv) }
}

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
	if c == nil || c.kind == "UnmarshalString" || c.kind == "UnmarshalNext" {
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
	if c := j.match(as.Rhs[0]); c == nil || c.kind == "MarshalToString" {
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
	dst.Inspect(p.File, visit)
}

// expr rewrites one call in expression position.
func (j *jsonpbPass) expr(c *jcall) {
	p := j.p
	call := c.call
	if c.kind == "UnmarshalString" {
		if len(call.Args) != 2 {
			return
		}
		s, m := call.Args[0], call.Args[1]
		decode := j.decoder(c, m)
		p.Changed(call, change.Review, "jsonpb.UnmarshalString → protojson (same merge semantics kept; error texts differ)")
		repl := decode(&dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: rule.Exprs(s)})
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
