package protov1

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"golang.org/x/tools/go/types/typeutil"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// RaiseSites announces, at each site of hand-written code (tests
// included), the behaviour changes a version raise brings by itself,
// whether or not any call is rewritten: golang/protobuf >= v1.4 is
// implemented on google.golang.org/protobuf (APIv2's legacy loader reads
// hand-written v1 message types), google.golang.org/protobuf >= v1.25
// gives structpb's types MarshalJSON and UnmarshalJSON, and >= v1.26
// returns its own decoding errors. The facts are proven against
// golang/protobuf v1.3.3, v1.4.3 on APIv2 v1.24, v1.25 and v1.26, and
// v1.5.4 in raise_sites_behaviour_test.go.
//
// The rule reports every site it finds; the pipeline keeps a finding only
// when the run's go.mod raises the module its message names across the
// version it names (RaiseSiteCondition), so nothing is announced without
// the raise, and a raise the verification gate withdraws takes its
// announcements with it.
var RaiseSites = &rule.Rule{
	Name:    RaiseSitesRule,
	Doc:     "announces at each hand-written site what raising golang/protobuf across v1.4 (google.golang.org/protobuf across v1.25, v1.26) changes: hand-written v1 message types APIv2 panics on, encoding/json of structpb values, expected v1.3 error texts",
	Risk:    change.Review,
	Imports: []string{"github.com/golang/protobuf/", structpbV2},
	Run:     runRaiseSites,
}

// RaiseSitesRule is the finding id of RaiseSites.
const RaiseSitesRule = "protov1.raise.behaviour"

const (
	structpbV1 = "github.com/golang/protobuf/ptypes/struct"
	structpbV2 = "google.golang.org/protobuf/types/known/structpb"

	v1Module     = "github.com/golang/protobuf"
	v2Module     = "google.golang.org/protobuf"
	v1OnV2       = "v1.4.0"
	structpbJSON = "v1.25.0"
	// v2Errors is the first google.golang.org/protobuf whose decoding
	// errors are its own (golang/protobuf v1.5's floor): with v1.4 on an
	// older one, proto.Unmarshal still said "unexpected EOF".
	v2Errors = "v1.26.0"
)

// raisePrefix starts every message of RaiseSites: the module whose raise
// brings the change and the release that made it.
func raisePrefix(module, since string) string {
	return "with " + module + " raised to " + since + " or later, "
}

var raiseRe = regexp.MustCompile(`^with (\S+) raised to (v\S+) or later, `)

// RaiseSiteCondition returns the module and release a RaiseSites finding
// depends on: it holds only when the run raises module from below since
// to since or later.
func RaiseSiteCondition(d change.Diagnostic) (module, since string, ok bool) {
	if d.Rule != RaiseSitesRule {
		return "", "", false
	}
	m := raiseRe.FindStringSubmatch(d.Message)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func runRaiseSites(p *rule.Pass) {
	f := p.AstFile
	info := p.Info()
	if f == nil || info == nil {
		return
	}
	jsonPkg := false
	for _, imp := range f.Imports {
		if imp.Path.Value == `"encoding/json"` {
			jsonPkg = true
		}
	}
	handWrittenMessages(p, f)
	reported := map[ast.Node]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			jsonCall(p, n, reported)
			if jsonPkg {
				for i, a := range n.Args {
					if t := paramType(info, n, i); t != nil {
						structpbToAny(p, a, t, reported)
					}
				}
			}
		case *ast.CompositeLit:
			if jsonPkg {
				compositeToAny(p, n, reported)
			}
		case *ast.AssignStmt:
			if jsonPkg && len(n.Lhs) == len(n.Rhs) {
				for i, r := range n.Rhs {
					if t := info.TypeOf(n.Lhs[i]); t != nil {
						structpbToAny(p, r, t, reported)
					}
				}
			}
		case *ast.BasicLit:
			errorText(p, n)
		}
		return true
	})
}

// handWrittenMessages reports the struct types of f that implement the
// v1 Message interface themselves and have a field shape APIv2's legacy
// loader cannot handle: a map field without key/value tags or with a
// float key, a message field held by value, a oneof without its wrapper
// list, two fields sharing a field number.
func handWrittenMessages(p *rule.Pass, f *ast.File) {
	info := p.Info()
	pre := raisePrefix(v1Module, v1OnV2)
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			obj := info.Defs[ts.Name]
			if !ok || obj == nil || !isV1Message(obj.Type()) || rule.ImplementsV2(obj.Type()) {
				continue
			}
			ptr := types.NewMethodSet(types.NewPointer(obj.Type()))
			hasOneofTable := ptr.Lookup(nil, "XXX_OneofWrappers") != nil || ptr.Lookup(nil, "XXX_OneofFuncs") != nil
			numbered := map[string]string{} // field number → the first field's name
			for _, fl := range st.Fields.List {
				if fl.Tag == nil {
					continue
				}
				tag, err := strconv.Unquote(fl.Tag.Value)
				if err != nil {
					continue
				}
				st := reflect.StructTag(tag)
				pb, isField := st.Lookup("protobuf")
				_, isOneof := st.Lookup("protobuf_oneof")
				ft := info.TypeOf(fl.Type)
				if ft == nil {
					continue
				}
				name := ts.Name.Name + "." + fieldNames(fl)
				if isField {
					if n := tagNumber(pb); n != "" {
						if first, ok := numbered[n]; ok {
							p.ReportAst(fl, change.Review, pre+"the fields "+first+" and "+fieldNames(fl)+" of the hand-written message type "+ts.Name.Name+" share field number "+n+": APIv2's legacy loader panics on it in proto.Clone, Equal, Merge, Marshal and the text format, where golang/protobuf v1.3 cloned, compared, encoded and printed it",
								"give each field a number of its own (the numbers are the wire format: check what reads and writes it), or generate the type from a .proto file")
						} else {
							numbered[n] = fieldNames(fl)
						}
					}
					if k := floatMapKey(ft); k != "" {
						p.ReportAst(fl, change.Review, pre+"the map field "+name+" of a hand-written message type has a "+k+" key, which .proto maps do not allow: APIv2 panics on it in proto.Equal, Marshal and the text format, where golang/protobuf v1.3 compared and encoded it",
							"use a string or integer key, or generate the type from a .proto file")
					}
				}
				switch {
				case isOneof && !hasOneofTable:
					p.ReportAst(fl, change.Review, pre+"the hand-written message type "+ts.Name.Name+" has a oneof field ("+fieldNames(fl)+") but no XXX_OneofWrappers (or XXX_OneofFuncs) method: APIv2's legacy loader panics on it (index out of range) in proto.Clone, Equal, Merge, Marshal, Size, Unmarshal and the text format, where golang/protobuf v1.3 cloned, compared and printed it",
						"add the XXX_OneofWrappers method listing the oneof's wrapper types, or generate the type from a .proto file")
				case isField && isMapType(ft) && (st.Get("protobuf_key") == "" || st.Get("protobuf_val") == ""):
					p.ReportAst(fl, change.Review, pre+"the map field "+name+" of a hand-written message type has no protobuf_key/protobuf_val struct tags: APIv2's legacy loader panics on it (nil pointer dereference) in proto.Clone, Equal, Merge, Marshal, Size, Unmarshal and the text format, where golang/protobuf v1.3 cloned, compared, merged and printed it",
						"add the tags protoc-gen-go writes, for example `protobuf_key:\"bytes,1,opt,name=key\" protobuf_val:\"bytes,2,opt,name=value\"`, or generate the type from a .proto file")
				case isField && strings.HasPrefix(pb, "bytes,") && isStructValue(ft):
					p.ReportAst(fl, change.Review, pre+"the message field "+name+" of a hand-written message type is a struct value, not a pointer: APIv2's legacy loader panics on it in proto.Clone and Merge (reflect: call of reflect.Value.IsNil on struct Value), and with google.golang.org/protobuf before v1.26 in Equal and the text format too, where golang/protobuf v1.3 cloned, merged, compared and printed it; proto.Marshal returns an error instead of v1.3's panic",
						"make the field a pointer (*"+types.TypeString(ft, types.RelativeTo(p.Pkg.Types))+"), as protoc-gen-go does")
				}
			}
		}
	}
}

// tagNumber returns the field number of a protobuf struct tag
// ("bytes,27,opt,name=x" → "27"), or "".
func tagNumber(tag string) string {
	parts := strings.Split(tag, ",")
	if len(parts) < 2 {
		return ""
	}
	if _, err := strconv.Atoi(parts[1]); err != nil {
		return ""
	}
	return parts[1]
}

// floatMapKey returns the key type of a map type with a float key, or "".
func floatMapKey(t types.Type) string {
	m, ok := t.Underlying().(*types.Map)
	if !ok {
		return ""
	}
	if b, ok := m.Key().Underlying().(*types.Basic); ok && b.Info()&types.IsFloat != 0 {
		return types.TypeString(m.Key(), nil)
	}
	return ""
}

func fieldNames(fl *ast.Field) string {
	var ns []string
	for _, n := range fl.Names {
		ns = append(ns, n.Name)
	}
	if len(ns) == 0 {
		return types.ExprString(fl.Type)
	}
	return strings.Join(ns, ", ")
}

func isMapType(t types.Type) bool {
	_, ok := t.Underlying().(*types.Map)
	return ok
}

// isStructValue reports whether t is a struct (not a pointer to one)
// whose pointer is a v1 message.
func isStructValue(t types.Type) bool {
	if _, ok := t.Underlying().(*types.Struct); !ok {
		return false
	}
	return isV1Message(types.NewPointer(t))
}

// jsonCall reports encoding/json calls whose argument's static type holds
// a structpb message.
func jsonCall(p *rule.Pass, call *ast.CallExpr, reported map[ast.Node]bool) {
	info := p.Info()
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "encoding/json" {
		return
	}
	var arg ast.Expr
	switch fn.Name() {
	case "Marshal", "MarshalIndent", "Encode":
		if len(call.Args) > 0 {
			arg = call.Args[0]
		}
	case "Unmarshal":
		if len(call.Args) > 1 {
			arg = call.Args[1]
		}
	case "Decode":
		if len(call.Args) > 0 {
			arg = call.Args[0]
		}
	}
	if arg == nil {
		return
	}
	what := holdsStructpb(info.TypeOf(arg), map[types.Type]bool{})
	if what == "" {
		return
	}
	reported[arg] = true
	p.ReportAst(call, change.Review, raisePrefix(v2Module, structpbJSON)+"json."+fn.Name()+" of a value holding "+what+" uses structpb's own MarshalJSON/UnmarshalJSON (protojson): a Value is written as its JSON value (\"abc\", not {\"Kind\":{\"StringValue\":\"abc\"}}), a Struct as a plain object, and JSON values unmarshal into them where encoding/json failed before",
		"check what the JSON output and the accepted input should be; tests expecting the old form or an error change")
}

// holdsStructpb returns the structpb type t holds (through pointers,
// struct fields, slices, arrays and maps), or "".
func holdsStructpb(t types.Type, seen map[types.Type]bool) string {
	if t == nil || seen[t] {
		return ""
	}
	seen[t] = true
	if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil {
		switch n.Obj().Pkg().Path() {
		case structpbV1, structpbV2:
			switch n.Obj().Name() {
			case "Struct", "Value", "ListValue":
				return "structpb." + n.Obj().Name()
			}
			return ""
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return holdsStructpb(u.Elem(), seen)
	case *types.Slice:
		return holdsStructpb(u.Elem(), seen)
	case *types.Array:
		return holdsStructpb(u.Elem(), seen)
	case *types.Map:
		return holdsStructpb(u.Elem(), seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if f := u.Field(i); f.Exported() || f.Embedded() {
				if w := holdsStructpb(f.Type(), seen); w != "" {
					return w
				}
			}
		}
	}
	return ""
}

// structpbToAny reports e when it is a structpb value (or a pointer to
// one) put into an empty interface in a file that uses encoding/json:
// where that value reaches encoding/json, its JSON changes. (Messages
// holding structpb fields are left to jsonCall: they go to proto APIs
// through interface{} parameters far more often.)
func structpbToAny(p *rule.Pass, e ast.Expr, target types.Type, reported map[ast.Node]bool) {
	if reported[e] {
		return
	}
	it, ok := target.Underlying().(*types.Interface)
	if !ok || !it.Empty() {
		return
	}
	t := p.Info().TypeOf(e)
	if pt, ok := t.(*types.Pointer); ok {
		t = pt.Elem()
	}
	n, named := types.Unalias(t).(*types.Named)
	if !named || n.Obj().Pkg() == nil || (n.Obj().Pkg().Path() != structpbV1 && n.Obj().Pkg().Path() != structpbV2) {
		return
	}
	what := holdsStructpb(t, map[types.Type]bool{})
	if what == "" {
		return
	}
	reported[e] = true
	p.ReportAst(e, change.Review, raisePrefix(v2Module, structpbJSON)+"a "+what+" value stored in an interface{} in a file that uses encoding/json: where it reaches json.Marshal or json.Unmarshal, structpb's own MarshalJSON/UnmarshalJSON (protojson) apply: a Value is written as its JSON value (\"abc\", not {\"Kind\":{\"StringValue\":\"abc\"}}) and JSON values unmarshal into it where encoding/json failed before",
		"check what the JSON output and the accepted input should be; tests expecting the old form or an error change")
}

// compositeToAny checks the elements of a composite literal whose
// element or field type is an empty interface.
func compositeToAny(p *rule.Pass, cl *ast.CompositeLit, reported map[ast.Node]bool) {
	info := p.Info()
	t := info.TypeOf(cl)
	if t == nil {
		return
	}
	if pt, ok := t.Underlying().(*types.Pointer); ok {
		t = pt.Elem()
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					if v, ok := info.Uses[id].(*types.Var); ok {
						structpbToAny(p, kv.Value, v.Type(), reported)
					}
				}
			} else if i < u.NumFields() {
				structpbToAny(p, el, u.Field(i).Type(), reported)
			}
		}
	case *types.Slice, *types.Array, *types.Map:
		var elem types.Type
		switch u := u.(type) {
		case *types.Slice:
			elem = u.Elem()
		case *types.Array:
			elem = u.Elem()
		case *types.Map:
			elem = u.Elem()
		}
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			structpbToAny(p, el, elem, reported)
		}
	}
}

// paramType returns the type call's i'th argument is passed as.
func paramType(info *types.Info, call *ast.CallExpr, i int) types.Type {
	sig, ok := info.TypeOf(call.Fun).(*types.Signature)
	if !ok {
		return nil
	}
	ps := sig.Params()
	switch {
	case sig.Variadic() && i >= ps.Len()-1:
		if call.Ellipsis.IsValid() {
			return nil
		}
		if s, ok := ps.At(ps.Len() - 1).Type().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	case i < ps.Len():
		return ps.At(i).Type()
	}
	return nil
}

// v13ErrorTexts are error texts golang/protobuf v1.3 returned from
// proto.Unmarshal that it no longer returns on google.golang.org/protobuf
// v1.26 or later: its errors come from APIv2 ("proto: cannot parse
// invalid wire-format data", "proto: required field … not set").
var v13ErrorTexts = []string{
	"unexpected EOF",
	"proto: bad wiretype",
	"proto: illegal wireType",
	"proto: integer overflow",
	"proto: negative length",
	"proto: required field",
	"proto: no encoder",
	"proto: bad extended type",
	"unexpected end of group",
}

// errorText reports a string literal holding one of v1.3's error texts
// where a test expects it: an argument of errors.New or fmt.Errorf, or
// an operand of a comparison.
func errorText(p *rule.Pass, lit *ast.BasicLit) {
	if lit.Kind != token.STRING {
		return
	}
	tv, ok := p.Info().Types[lit]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return
	}
	s := constant.StringVal(tv.Value)
	hit := ""
	for _, e := range v13ErrorTexts {
		if strings.Contains(s, e) {
			hit = e
			break
		}
	}
	if hit == "" || !expectedText(p, lit) {
		return
	}
	p.ReportAst(lit, change.Review, raisePrefix(v2Module, v2Errors)+"this expected error text holds golang/protobuf v1.3's \""+hit+"\": proto.Unmarshal returns APIv2's errors instead (\"proto: cannot parse invalid wire-format data\" for truncated or malformed input, its space at random a non-breaking one), so a comparison with this text stops matching",
		"compare with errors.Is/As or check only that an error is returned; the exact text of APIv2's errors is not stable either")
}

// expectedText reports whether lit is an argument of errors.New or
// fmt.Errorf, an operand of == or !=, or an argument of a strings
// comparison or a test helper with Equal, Contains or Error in its name.
func expectedText(p *rule.Pass, lit *ast.BasicLit) bool {
	found := false
	ast.Inspect(p.AstFile, func(n ast.Node) bool {
		if found || n == nil || n.Pos() > lit.Pos() || n.End() < lit.End() {
			return false
		}
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (ast.Unparen(n.X) == lit || ast.Unparen(n.Y) == lit) {
				found = true
			}
		case *ast.CallExpr:
			direct := false
			for _, a := range n.Args {
				if ast.Unparen(a) == lit {
					direct = true
				}
			}
			if !direct {
				return true
			}
			fn, _ := typeutil.Callee(p.Info(), n).(*types.Func)
			if fn == nil {
				return true
			}
			path := ""
			if fn.Pkg() != nil {
				path = fn.Pkg().Path()
			}
			switch {
			case path == "errors" && fn.Name() == "New", path == "fmt" && fn.Name() == "Errorf":
				found = true
			case path == "strings" && (fn.Name() == "Contains" || fn.Name() == "HasPrefix" || fn.Name() == "HasSuffix" || fn.Name() == "EqualFold"):
				found = true
			case strings.Contains(fn.Name(), "Equal") || strings.Contains(fn.Name(), "Contains") || strings.Contains(fn.Name(), "Error"):
				found = true
			}
		}
		return true
	})
	return found
}
