package protov1

import (
	"go/token"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ProtoRegistry handles the registry functions of
// github.com/golang/protobuf/proto (spec A.1 rows MessageType,
// FileDescriptor, RegisterType, RegisterEnum, RegisterFile,
// RegisterMapType, RegisterMessageSetType):
//
//	t := proto.MessageType(name)
//	    →  var t reflect.Type
//	       if mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name)); err == nil {
//	           t = reflect.TypeOf(protoadapt.MessageV1Of(mt.Zero().Interface()))
//	       }
//
// which keeps v1's nil result for unknown names and its Go type for
// legacy messages (MessageV1Of unwraps them, as v1.5.4 did). Risk
// "review": v1 also synthesised Go map types for map-entry names, which
// the registry does not know. MessageType in any other position is
// reported. FileDescriptor returned gzipped descriptor bytes where the
// registry returns descriptor objects, so its consumers must change:
// reported with the replacement. The Register* functions are called by
// generated code only (class X): reported with "regenerate" (or "delete"
// for RegisterMessageSetType, a no-op since v1.4).
var ProtoRegistry = &rule.Rule{
	Name:    "protov1.proto.registry",
	Doc:     "proto.MessageType → protoregistry lookup; FileDescriptor and Register* reported",
	Risk:    change.Review,
	Imports: []string{v1Proto},
	Run:     runProtoRegistry,
}

var registryReports = map[string][2]string{
	"FileDescriptor": {"proto.FileDescriptor returned gzipped FileDescriptorProto bytes; APIv2's registry returns descriptors: look the file up and convert it",
		"fd, err := protoregistry.GlobalFiles.FindFileByPath(path)\nif err != nil {\n\treturn err\n}\nfdp := protodesc.ToFileDescriptorProto(fd)"},
	"RegisterType":           {"proto.RegisterType is for generated code (v1 panicked on conflicts); regenerate the .pb.go with protoc-gen-go from google.golang.org/protobuf, or register explicitly", "if err := protoregistry.GlobalTypes.RegisterMessage(m.ProtoReflect().Type()); err != nil {\n\tpanic(err)\n}"},
	"RegisterEnum":           {"proto.RegisterEnum is for generated code and only filled v1's name cache; regenerate the .pb.go with protoc-gen-go from google.golang.org/protobuf", ""},
	"RegisterFile":           {"proto.RegisterFile is for generated code; regenerate the .pb.go with protoc-gen-go from google.golang.org/protobuf (it registers the file in protoregistry.GlobalFiles)", ""},
	"RegisterMapType":        {"proto.RegisterMapType is for generated code and has no APIv2 equivalent; regenerate the .pb.go", ""},
	"RegisterMessageSetType": {"proto.RegisterMessageSetType does nothing since golang/protobuf v1.4; delete the call", ""},
}

const messageTypeSuggestion = "var t reflect.Type\nif mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name)); err == nil {\n\tt = reflect.TypeOf(protoadapt.MessageV1Of(mt.Zero().Interface()))\n}"

func runProtoRegistry(p *rule.Pass) {
	done := map[*dst.CallExpr]bool{}
	p.StmtLists(func(list []dst.Stmt) []dst.Stmt {
		var out []dst.Stmt
		for _, s := range list {
			as, ok := s.(*dst.AssignStmt)
			if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
				out = append(out, s)
				continue
			}
			call, ok := as.Rhs[0].(*dst.CallExpr)
			if !ok || v1ProtoFunc(p.Callee(call)) != "MessageType" || len(call.Args) != 1 {
				out = append(out, s)
				continue
			}
			done[call] = true
			lhs := as.Lhs[0]
			if rule.IsBlank(lhs) || !p.SideEffectFree(lhs) || (as.Tok == token.DEFINE && !p.IsNewDef(lhs)) || mentions(lhs, "mt", "err") {
				p.Report(call, change.Manual, "not rewritten: proto.MessageType is assigned in a way the registry lookup cannot take over", messageTypeSuggestion)
				out = append(out, s)
				continue
			}
			out = append(out, messageTypeStmts(p, as, lhs, call)...)
		}
		return out
	})
	p.Inspector().Inspect([]dst.Node{(*dst.CallExpr)(nil), (*dst.Ident)(nil)}, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.CallExpr:
			if !done[n] && v1ProtoFunc(p.Callee(n)) == "MessageType" {
				p.Report(n, change.Manual, "not rewritten: proto.MessageType is used inside an expression; assign it to a variable first so the registry lookup can replace it", messageTypeSuggestion)
			}
		case *dst.Ident:
			if name, o := v1ProtoRef(p, n); o != nil && registryReports[name][0] != "" {
				p.Report(n, change.Manual, registryReports[name][0], registryReports[name][1])
			}
		}
		return true
	})
	funcValues(p, func(name string) bool { return name == "MessageType" }, "its replacement is a registry lookup with an error result")
}

// messageTypeStmts builds the registry lookup that replaces
// `lhs := proto.MessageType(name)` (or `=`).
func messageTypeStmts(p *rule.Pass, as *dst.AssignStmt, lhs dst.Expr, call *dst.CallExpr) []dst.Stmt {
	p.Changed(as, change.Review, "proto.MessageType → protoregistry.GlobalTypes.FindMessageByName (map-entry names no longer yield synthesised map types)")
	p.Require(protobufModule, minProtobuf)
	find := rule.Call(rule.Sel(rule.QualifiedIdent(v2Protoregistry, "GlobalTypes"), "FindMessageByName"),
		rule.Call(rule.QualifiedIdent(v2Protoreflect, "FullName"), call.Args[0]))
	iface := rule.Call(rule.Sel(rule.Call(rule.Sel(dst.NewIdent("mt"), "Zero")), "Interface"))
	typ := rule.Call(rule.QualifiedIdent("reflect", "TypeOf"), rule.Call(rule.QualifiedIdent(v2Protoadapt, "MessageV1Of"), iface))
	lookup := rule.If(rule.IsNil(dst.NewIdent("err")), rule.AssignStmt(rule.Exprs(rule.Clone(lhs)), typ))
	lookup.Init = rule.DefineStmt(rule.Exprs(dst.NewIdent("mt"), dst.NewIdent("err")), find)
	var out []dst.Stmt
	if as.Tok == token.DEFINE {
		out = append(out, &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
			&dst.ValueSpec{Names: []*dst.Ident{lhs.(*dst.Ident)}, Type: rule.QualifiedIdent("reflect", "Type")},
		}}})
	} else {
		out = append(out, rule.AssignStmt(rule.Exprs(lhs), dst.NewIdent("nil")))
	}
	out = append(out, lookup)
	rule.MoveStmtDecs(as, out)
	// A trailing comment described the assignment, which is now the first
	// statement, not the closing brace.
	first, last := out[0].Decorations(), lookup.Decorations()
	first.End, last.End = last.End, nil
	return out
}
