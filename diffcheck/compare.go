package diffcheck

import (
	"fmt"
	"go/types"
	"path"
	"slices"
	"strings"
)

// Ops of a change.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Change is one difference in a generated package's API.
type Change struct {
	Package  string `json:"package"`          // Go import path
	Kind     string `json:"kind"`             // type, func, method, field, const, var, file
	Name     string `json:"name"`             // "T", "F", "T.M", "T.F", or a file name
	Op       string `json:"op"`               // added, removed, changed
	Old      string `json:"old,omitempty"`    // old declaration
	New      string `json:"new,omitempty"`    // new declaration
	Breaking bool   `json:"breaking"`         // breaks some caller or implementer
	Reason   string `json:"reason,omitempty"` // why it is (or is not) breaking
	// Uses are the places in the module that depend on the changed item;
	// filled only for breaking changes and only when a module was given.
	Uses []Use `json:"uses,omitempty"`
}

// Use is one place in the user's module that touches a changed item.
type Use struct {
	Pos    string `json:"pos"`    // file:line:col, relative to the module directory
	Breaks bool   `json:"breaks"` // this use stops compiling after the change
	Note   string `json:"note,omitempty"`
}

// compare lists the differences between the old and new API of the same
// import path. Either side may be nil (package added or removed).
func compare(path string, old, new *apiModel) []Change {
	var out []Change
	oldItems, newItems := map[string]*item{}, map[string]*item{}
	if old != nil {
		oldItems = old.Items
	}
	if new != nil {
		newItems = new.Items
	}
	for _, k := range sortedKeys(oldItems) {
		o := oldItems[k]
		n, ok := newItems[k]
		if !ok {
			if c, skip := removed(path, o, oldItems, newItems); !skip {
				out = append(out, c)
			}
			continue
		}
		if o.Sig == n.Sig && o.PtrRecv == n.PtrRecv {
			continue
		}
		out = append(out, changed(path, o, n))
	}
	for _, k := range sortedKeys(newItems) {
		if _, ok := oldItems[k]; ok {
			continue
		}
		if c, skip := added(path, newItems[k], oldItems); !skip {
			out = append(out, c)
		}
	}
	out = append(out, fileChanges(path, old, new)...)
	return out
}

func owner(name string) string {
	t, _, _ := strings.Cut(name, ".")
	return t
}

func removed(pkg string, o *item, oldItems, newItems map[string]*item) (Change, bool) {
	c := Change{Package: pkg, Kind: o.Kind, Name: o.Name, Op: Removed, Old: decl(o)}
	// Members of a removed type are covered by the type's own entry.
	if (o.Kind == KindMethod || o.Kind == KindField) && newItems[key(KindType, owner(o.Name))] == nil {
		return c, true
	}
	if o.Kind == KindMethod && !o.Exported && !o.Interface {
		// Unexported methods of concrete types are invisible outside.
		return c, true
	}
	c.Breaking = true
	switch {
	case strings.HasPrefix(memberName(o.Name), "XXX_"):
		c.Reason = "XXX_ members are gone from protobuf-go output; use the proto package (proto.Marshal, proto.Size, proto.Merge, proto.Reset) or protoreflect instead"
	case o.Kind == KindMethod && o.Interface && !o.Exported:
		c.Breaking = false
		c.Reason = "an unexported interface method less only makes the interface easier to implement"
	case o.Kind == KindMethod && o.Interface:
		c.Reason = "callers of this interface method no longer compile"
	default:
		c.Reason = "references to it no longer compile"
	}
	return c, false
}

func added(pkg string, n *item, oldItems map[string]*item) (Change, bool) {
	c := Change{Package: pkg, Kind: n.Kind, Name: n.Name, Op: Added, New: decl(n)}
	if (n.Kind == KindMethod || n.Kind == KindField) && oldItems[key(KindType, owner(n.Name))] == nil {
		return c, true
	}
	if n.Kind == KindMethod && !n.Exported && !n.Interface {
		return c, true
	}
	switch {
	case n.Kind == KindMethod && n.Interface:
		c.Breaking = true
		if !n.Exported {
			c.Reason = fmt.Sprintf("implementations outside the package must now embed Unimplemented%s (by value) or Unsafe%s", owner(n.Name), owner(n.Name))
		} else {
			c.Reason = "existing implementations of the interface lack this method"
		}
	default:
		c.Reason = "new API; existing code is unaffected"
	}
	return c, false
}

func changed(pkg string, o, n *item) Change {
	c := Change{Package: pkg, Kind: o.Kind, Name: o.Name, Op: Changed, Old: decl(o), New: decl(n)}
	switch {
	case o.Kind == KindType:
		if o.Shape == n.Shape {
			c.Reason = "same kind of type with the same members"
			if n.Alias != "" {
				c.Reason = fmt.Sprintf("now an alias of %s; code naming %s keeps compiling (members compared separately)", n.Alias, o.Name)
			}
			return c
		}
		c.Breaking = true
		c.Reason = fmt.Sprintf("the type changed from %s to %s", o.Shape, n.Shape)
	case o.Kind == KindMethod && o.Sig == n.Sig:
		// Only the receiver moved.
		if o.PtrRecv && !n.PtrRecv {
			c.Reason = "the method moved from a pointer to a value receiver; the value's method set grows"
			return c
		}
		c.Breaking = true
		c.Reason = "the method moved to a pointer receiver; values of the type no longer have it"
	case (o.Kind == KindFunc || o.Kind == KindMethod) && widened(o, n):
		c.Breaking = true
		c.Reason = "only parameters widened to interfaces the old types implement: calls compile unchanged; using it as a function value of the old type breaks"
	case o.Kind == KindConst && strings.SplitN(o.Sig, " = ", 2)[0] == strings.SplitN(n.Sig, " = ", 2)[0]:
		c.Breaking = true
		c.Reason = "the constant's value changed"
	default:
		c.Breaking = true
		c.Reason = "the declaration's type changed"
	}
	return c
}

// widened reports whether every parameter of n accepts what the old
// parameter accepted and the results are unchanged: RegisterXServer's
// *grpc.Server becoming grpc.ServiceRegistrar.
func widened(o, n *item) bool {
	if len(o.Params) != len(n.Params) || o.Results != n.Results {
		return false
	}
	wider := false
	for i := range o.Params {
		ot, nt := o.Params[i], n.Params[i]
		if types.Identical(ot, nt) {
			continue
		}
		iface, ok := nt.Underlying().(*types.Interface)
		if !ok || !types.Implements(ot, iface) {
			// Generated types differ by identity between the sides;
			// equal text means the same declaration.
			if types.TypeString(ot, shortQual) == types.TypeString(nt, shortQual) {
				continue
			}
			return false
		}
		wider = true
	}
	return wider
}

func shortQual(p *types.Package) string { return p.Name() }

func memberName(name string) string {
	_, m, ok := strings.Cut(name, ".")
	if !ok {
		return name
	}
	return m
}

func decl(it *item) string {
	switch it.Kind {
	case KindType:
		return "type " + it.Name + " " + it.Sig
	case KindFunc:
		return "func " + it.Name + strings.TrimPrefix(it.Sig, "func")
	case KindMethod:
		t, m, _ := strings.Cut(it.Name, ".")
		switch {
		case it.Interface:
			return "interface " + t + ": " + m + strings.TrimPrefix(it.Sig, "func")
		case it.PtrRecv:
			return "func (*" + t + ") " + m + strings.TrimPrefix(it.Sig, "func")
		default:
			return "func (" + t + ") " + m + strings.TrimPrefix(it.Sig, "func")
		}
	case KindField:
		t, f, _ := strings.Cut(it.Name, ".")
		return t + "." + f + " " + it.Sig
	default:
		return it.Kind + " " + it.Name + " " + it.Sig
	}
}

// fileChanges notes generated files that appear or disappear; moving
// gRPC code to _grpc.pb.go is compatible on its own (declarations are
// compared separately).
func fileChanges(pkg string, old, new *apiModel) []Change {
	var oldFiles, newFiles []string
	if old != nil {
		oldFiles = old.Files
	}
	if new != nil {
		newFiles = new.Files
	}
	var out []Change
	for _, f := range oldFiles {
		if !slices.Contains(newFiles, f) {
			out = append(out, Change{Package: pkg, Kind: KindFile, Name: path.Base(f), Op: Removed, Old: f, Reason: "generated file no longer written; its declarations are compared above"})
		}
	}
	for _, f := range newFiles {
		if !slices.Contains(oldFiles, f) {
			reason := "new generated file"
			if strings.HasSuffix(f, "_grpc.pb.go") {
				reason = "gRPC service code now lives in its own file (protoc-gen-go-grpc); delete the old inline service code so declarations are not duplicated"
			}
			out = append(out, Change{Package: pkg, Kind: KindFile, Name: path.Base(f), Op: Added, New: f, Reason: reason})
		}
	}
	return out
}
