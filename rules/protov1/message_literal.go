package protov1

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// MessageLiteral names the fields of unkeyed struct literals of messages
// that regeneration turned into APIv2 structs:
//
//	&pb.SimpleRequest{payload}  →  &pb.SimpleRequest{Payload: payload}
//
// Old protoc-gen-go output (golang/protobuf before v1.2) declared a proto3
// message as a struct of its proto fields only, so hand-written code could
// list their values in order. protoc-gen-go from google.golang.org/protobuf
// puts the unexported fields state, sizeCache and unknownFields (and
// extensionFields) first, so the same literal no longer compiles
// ("implicit assignment to unexported field state") and the regeneration
// would be withdrawn. Both generators declare the proto fields in .proto
// order (a oneof at its first member), so the i-th value of the old
// literal is the i-th exported field of the new struct; naming it is the
// same assignment. Risk: safe.
//
// The rule only touches literals that cannot compile as they are: the
// struct must have the APIv2 shape (every unexported field of a
// google.golang.org/protobuf/runtime/protoimpl type, one of them
// state), and be declared in another package. Reported instead, as the
// regeneration is then withdrawn: a literal whose number of values is not
// the number of exported fields (golang/protobuf v1.2+ output also had
// the exported XXX_NoUnkeyedLiteral, XXX_unrecognized and XXX_sizecache
// fields, and older proto2 output XXX_unrecognized, which the new struct
// drops, so the old order cannot be recovered from it), and a value whose
// type does not fit the field it would name.
//
// Only files that import, or sit in, a package with protoc-gen-go-grpc
// output are looked at (rule.GRPCGenerated): regenerating a package of
// messages alone does not bring this rule to the files using it.
var MessageLiteral = &rule.Rule{
	Name:    "protov1.message.literal",
	Doc:     "unkeyed struct literals of regenerated (APIv2) messages name their fields: &pb.M{v} → &pb.M{Field: v}",
	Risk:    change.Safe,
	Imports: []string{rule.GRPCGenerated},
	Repairs: []string{
		`implicit assignment to unexported field (state|sizeCache|unknownFields|extensionFields) in struct literal of type `,
		`too few values in struct literal of type `,
		// Not "cannot use … value in struct literal", which a fourth
		// value landing on the first exported field of another type
		// gives: the same message comes from keyed fields whose types
		// regeneration changed, which no rule here repairs. Such a
		// literal keeps the regeneration withdrawn, as before.
	},
	Run: runMessageLiteral,
}

const protoimplPkg = "google.golang.org/protobuf/runtime/protoimpl"

func runMessageLiteral(p *rule.Pass) {
	info := p.Info()
	for lit := range rule.Nodes[*dst.CompositeLit](p.Inspector()) {
		if len(lit.Elts) == 0 {
			continue
		}
		keyed := false
		for _, e := range lit.Elts {
			if _, ok := e.(*dst.KeyValueExpr); ok {
				keyed = true
			}
		}
		if keyed {
			continue
		}
		al, ok := p.Ast(lit).(*ast.CompositeLit)
		if !ok {
			continue
		}
		named, st := v2MessageStruct(info.TypeOf(al))
		if st == nil || named.Obj().Pkg() == p.Pkg.Types {
			continue
		}
		var exported []*types.Var
		for f := range st.Fields() {
			if f.Exported() {
				exported = append(exported, f)
			}
		}
		name := named.Obj().Name()
		if len(exported) != len(lit.Elts) {
			p.Report(lit, change.Manual, fmt.Sprintf("not rewritten: unkeyed %s literal with %d values, and the regenerated %s has %d exported fields: which field each value was for is not known (golang/protobuf v1.2+ output had XXX_ fields the new struct drops); name the fields (Field: value) as the old struct declared them", name, len(lit.Elts), name, len(exported)), "")
			continue
		}
		fits := true
		for i, e := range al.Elts {
			t := info.TypeOf(e)
			if t == nil || !types.AssignableTo(t, exported[i].Type()) {
				p.Report(lit.Elts[i], change.Manual, fmt.Sprintf("not rewritten: value %d of the unkeyed %s literal does not fit field %s of the regenerated struct; name the fields (Field: value) as the old struct declared them", i+1, name, exported[i].Name()), "")
				fits = false
				break
			}
		}
		if !fits {
			continue
		}
		p.Changed(lit, change.Safe, "unkeyed "+name+" literal names its fields: the regenerated struct starts with APIv2's unexported fields, and its exported fields are the old ones in the same order")
		for i, e := range lit.Elts {
			kv := &dst.KeyValueExpr{Key: dst.NewIdent(exported[i].Name()), Value: e}
			// The value's line breaks and comments stay with the pair.
			kv.Decs.NodeDecs = *e.Decorations()
			*e.Decorations() = dst.NodeDecs{}
			lit.Elts[i] = kv
		}
	}
}

// v2MessageStruct returns the named struct type t (or *t) when it has the
// shape of protoc-gen-go's APIv2 output: every unexported field is of a
// protoimpl type, and one of them is state protoimpl.MessageState.
func v2MessageStruct(t types.Type) (*types.Named, *types.Struct) {
	t = types.Unalias(t)
	if pt, ok := t.(*types.Pointer); ok {
		t = types.Unalias(pt.Elem())
	}
	named, ok := t.(*types.Named)
	if !ok {
		return nil, nil
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return nil, nil
	}
	state := false
	for f := range st.Fields() {
		if f.Exported() {
			// APIv2's open struct API has neither embedded nor XXX_
			// fields (the opaque API's XXX_presence is one).
			if f.Embedded() || strings.HasPrefix(f.Name(), "XXX_") {
				return nil, nil
			}
			continue
		}
		tn := protoimplType(f.Type())
		if tn == "" {
			return nil, nil
		}
		if f.Name() == "state" && tn == "MessageState" {
			state = true
		}
	}
	if !state {
		return nil, nil
	}
	return named, st
}

// protoimplType returns the name of t when generated code spelled it
// protoimpl.X: protoimpl declares aliases (of internal/impl types, or of
// int32 and []byte), so the alias itself is what names it; without
// materialized aliases, a named type of internal/impl is accepted.
func protoimplType(t types.Type) string {
	if a, ok := t.(*types.Alias); ok {
		if pkg := a.Obj().Pkg(); pkg != nil && pkg.Path() == protoimplPkg {
			return a.Obj().Name()
		}
		return ""
	}
	if n, ok := t.(*types.Named); ok {
		if pkg := n.Obj().Pkg(); pkg != nil && (pkg.Path() == protoimplPkg || pkg.Path() == "google.golang.org/protobuf/internal/impl") {
			return n.Obj().Name()
		}
	}
	return ""
}
