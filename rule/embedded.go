package rule

import "github.com/dave/dst"

// EmbeddedTypes returns the identifiers of the pass's file (found with
// the shared inspector) that name the type of an embedded
// struct field (`struct{ proto.Message }`, also through a pointer or with
// type arguments): such a field is called after its type's name, so a
// rule that renames the type (proto.Message → protoadapt.MessageV1,
// resolver.AddressMap → resolver.AddressMapV2[any]) would rename the
// field, and every x.Message selector and `Message:` key of a literal, in
// this package or any other, would stop compiling. Rules keep these
// identifiers and report them. Embedding in an interface names no field
// and is not included.
func (p *Pass) EmbeddedTypes() map[*dst.Ident]bool {
	out := map[*dst.Ident]bool{}
	for st := range Nodes[*dst.StructType](p.Inspector()) {
		embeddedIn(st, out)
	}
	return out
}

// embeddedIn adds the identifiers naming st's embedded types to out.
func embeddedIn(st *dst.StructType, out map[*dst.Ident]bool) {
	if st.Fields == nil {
		return
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
}
