package protov1

import (
	"go/ast"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/rule"
)

// localUnselectedEmbedded reports whether the embedded field whose type
// id names belongs to a struct type written inside a function body (no
// other package, and no code outside that function, can name the type)
// and no selector or composite-literal key of the package refers to the
// field by its name. Renaming such a field (proto.Message → the field
// MessageV1) breaks no code; only reflection sees the new name, which
// protov1.proto.message announces. protoc-gen-star's extension_test.go
// builds its hand-written test message as `&struct{ proto.Message }{}`
// and calls only the promoted methods.
func localUnselectedEmbedded(p *rule.Pass, id *dst.Ident) bool {
	var owner *dst.StructType
	for st := range rule.Nodes[*dst.StructType](p.Inspector()) {
		if st.Fields == nil {
			continue
		}
		for _, fd := range st.Fields.List {
			t := fd.Type
			if s, ok := t.(*dst.StarExpr); ok {
				t = s.X
			}
			if len(fd.Names) == 0 && t == dst.Expr(id) {
				owner = st
			}
		}
	}
	if owner == nil {
		return false
	}
	ast0, ok := p.Ast(owner).(*ast.StructType)
	if !ok || !insideFunction(p.AstFile, ast0) {
		return false
	}
	st, ok := p.Pkg.TypesInfo.TypeOf(ast0).(*types.Struct)
	if !ok {
		return false
	}
	var field *types.Var
	for i := 0; i < st.NumFields(); i++ {
		if f := st.Field(i); f.Embedded() && f.Name() == id.Name {
			field = f
		}
	}
	if field == nil {
		return false
	}
	for _, sel := range p.Pkg.TypesInfo.Selections {
		if sel.Obj() == field {
			return false
		}
	}
	for _, o := range p.Pkg.TypesInfo.Uses {
		if o == field {
			return false
		}
	}
	return true
}

// insideFunction reports whether n lies in the body of a function
// declaration or literal of f.
func insideFunction(f *ast.File, n ast.Node) bool {
	inside := false
	ast.Inspect(f, func(m ast.Node) bool {
		if inside || m == nil || m.Pos() > n.Pos() || m.End() < n.End() {
			return false
		}
		switch m := m.(type) {
		case *ast.FuncDecl:
			inside = m.Body != nil && m.Body.Pos() <= n.Pos() && n.End() <= m.Body.End()
			return false
		case *ast.FuncLit:
			inside = m.Body.Pos() <= n.Pos() && n.End() <= m.Body.End()
			return !inside
		}
		return true
	})
	return inside
}
