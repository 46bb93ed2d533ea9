package rule

import "github.com/dave/dst"

// EmbeddedTypes returns the identifiers that name the type of an embedded
// struct field (`struct{ proto.Message }`, also through a pointer or with
// type arguments): such a field is called after its type's name, so a
// rule that renames the type (proto.Message → protoadapt.MessageV1,
// resolver.AddressMap → resolver.AddressMapV2[any]) would rename the
// field, and every x.Message selector and `Message:` key of a literal, in
// this package or any other, would stop compiling. Rules keep these
// identifiers and report them. Embedding in an interface names no field
// and is not included.
func EmbeddedTypes(f *dst.File) map[*dst.Ident]bool {
	out := map[*dst.Ident]bool{}
	dst.Inspect(f, func(n dst.Node) bool {
		st, ok := n.(*dst.StructType)
		if !ok || st.Fields == nil {
			return true
		}
		for _, fd := range st.Fields.List {
			if len(fd.Names) != 0 {
				continue
			}
			t := fd.Type
			if s, ok := t.(*dst.StarExpr); ok {
				t = s.X
			}
			switch x := t.(type) {
			case *dst.IndexExpr:
				t = x.X
			case *dst.IndexListExpr:
				t = x.X
			}
			if id, ok := t.(*dst.Ident); ok {
				out[id] = true
			}
		}
		return true
	})
	return out
}
