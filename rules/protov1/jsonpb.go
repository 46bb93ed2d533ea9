package protov1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/rules/jsonpbmerge"
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

// mergeHelper is protojsonMergeUnmarshal, written once per package into
// protolift_helpers.go (rule.Helper) for the Unmarshal calls whose target
// may already hold data.
var mergeHelper = func() *rule.Helper {
	f, err := parser.ParseFile(token.NewFileSet(), "merge.go", jsonpbmerge.Source, parser.ImportsOnly)
	if err != nil {
		panic("protolift's merge helper does not parse: " + err.Error())
	}
	h := &rule.Helper{Name: mergeHelperName, Requires: map[string]string{protobufModule: minProtobuf}}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		h.Imports = append(h.Imports, path)
	}
	h.Decl = jsonpbmerge.Source[strings.Index(jsonpbmerge.Source, "// "+mergeHelperName+" decodes"):]
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
	p.StmtLists(j.stmts)
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
	j.p.Inspector().Inspect([]dst.Node{(*dst.CompositeLit)(nil), (*dst.AssignStmt)(nil)}, func(n dst.Node) bool {
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
	fresh := freshTarget(p.Info(), p.AstFile, p.AstInspector(), p.Ast(m).(ast.Expr))
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
