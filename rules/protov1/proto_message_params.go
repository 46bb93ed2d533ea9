package protov1

import (
	"bytes"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"

	"github.com/dave/dst"

	"github.com/protolift/protolift/rule"
)

// v2Params finds the parameters typed as v1's proto.Message that a person
// would type as APIv2's proto.Message after the migration, so that the
// protoadapt.MessageV2Of wrappers the earlier rules put around them go
// away: the parameters of callerV2Params whose every use in the body is
// already the argument of protoadapt.MessageV2Of (an APIv2 call after the
// run) or of v1's proto.MessageV2. Exported functions of packages other
// modules may import, and exported methods, keep protoadapt.MessageV1,
// the type v1's Message aliases: their signature is API, and importers
// may pass values typed as the v1 interface.
//
// It returns the parameters' objects.
func v2Params(p *rule.Pass) map[types.Object]bool {
	out := map[types.Object]bool{}
	for fd, params := range callerV2Params(p) {
		wrapped, other := paramUses(p, fd.Body)
		for _, q := range params {
			o := q.obj
			if wrapped[o] == 0 || other[o] > 0 || other[nil] > 0 && hasNilObjIdent(p, fd.Body, o.Name()) {
				continue
			}
			out[o] = true
		}
	}
	return out
}

// paramOnlyV2 is a parameter of callerV2Params; called is false when the
// function has no caller at all (the parameter then holds nothing, which
// is enough to retype it but no evidence for a rule that must know what
// it holds).
type paramOnlyV2 struct {
	obj    types.Object
	called bool
}

// callerV2Params finds, per function of the file, the parameters typed as
// v1's proto.Message that only ever hold messages that are APIv2 after
// the run: every call of the function in the program passes such a value
// (rule.Program.Callers: the function is not used as a value, cannot
// implement an interface, and has no caller the run cannot see), and the
// body never assigns the parameter or takes its address. Such a value is
// never a hand-written v1 message, so it may reach APIv2 APIs.
func callerV2Params(p *rule.Pass) map[*dst.FuncDecl][]paramOnlyV2 {
	out := map[*dst.FuncDecl][]paramOnlyV2{}
	for _, d := range p.File.Decls {
		fd, ok := d.(*dst.FuncDecl)
		if !ok || fd.Body == nil || fd.Type.Params == nil {
			continue
		}
		if p.Program == nil && (fd.Recv != nil || ast.IsExported(fd.Name.Name)) {
			continue
		}
		fn, _ := p.ObjectOf(fd.Name).(*types.Func)
		if fn == nil {
			continue
		}
		idx := 0
		var cands []types.Object
		var indexes []int
		for _, f := range fd.Type.Params.List {
			n := max(len(f.Names), 1)
			id, ok := f.Type.(*dst.Ident)
			if ok {
				if name, o := v1ProtoRef(p, id); name == "Message" {
					if _, isType := o.(*types.TypeName); isType {
						for i, nm := range f.Names {
							if o := p.ObjectOf(nm); o != nil && nm.Name != "_" {
								cands = append(cands, o)
								indexes = append(indexes, idx+i)
							}
						}
					}
				}
			}
			idx += n
		}
		if len(cands) == 0 {
			continue
		}
		calls, ok := callTypes(p, fn)
		if !ok {
			continue
		}
		assigned := assignedObjects(p, fd.Body)
		for i, o := range cands {
			good := !assigned[o]
			for _, args := range calls {
				if !good {
					break
				}
				if indexes[i] >= len(args) {
					good = false
					break
				}
				t := args[indexes[i]]
				if t == nil || (!rule.IsUntypedNil(t) && !v2AfterRun(p, t)) {
					good = false
				}
			}
			if good {
				out[fd] = append(out[fd], paramOnlyV2{o, len(calls) > 0})
			}
		}
	}
	return out
}

// callTypes returns the argument types of every call of fn: across the
// program when the engine provides one, else in the loaded package (and
// false if a file of the directory it did not load names fn).
func callTypes(p *rule.Pass, fn *types.Func) ([][]types.Type, bool) {
	if p.Program != nil {
		sites, ok := p.Program.Callers(fn)
		if !ok {
			return nil, false
		}
		out := make([][]types.Type, len(sites))
		for i, s := range sites {
			out[i] = s.Types
		}
		return out, true
	}
	calls, ok := callArgs(p, fn)
	if !ok || testFilesMention(p, fn.Name()) {
		return nil, false
	}
	out := make([][]types.Type, len(calls))
	for i, args := range calls {
		for _, a := range args {
			out[i] = append(out[i], p.Info().TypeOf(a))
		}
	}
	return out, true
}

// assignedObjects returns the objects body assigns to (=, op=, ++/--,
// range) or takes the address of.
func assignedObjects(p *rule.Pass, body dst.Node) map[types.Object]bool {
	out := map[types.Object]bool{}
	mark := func(e dst.Expr) {
		if id, ok := e.(*dst.Ident); ok {
			if o := p.ObjectOf(id); o != nil {
				out[o] = true
			}
		}
	}
	dst.Inspect(body, func(n dst.Node) bool {
		switch n := n.(type) {
		case *dst.AssignStmt:
			for _, l := range n.Lhs {
				mark(l)
			}
		case *dst.IncDecStmt:
			mark(n.X)
		case *dst.RangeStmt:
			mark(n.Key)
			mark(n.Value)
		case *dst.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X)
			}
		}
		return true
	})
	return out
}

// onlyV2Messages reports whether e is a parameter of callerV2Params whose
// function has callers.
func onlyV2Messages(p *rule.Pass, e dst.Expr) bool {
	id, ok := e.(*dst.Ident)
	if !ok {
		return false
	}
	o := p.ObjectOf(id)
	if o == nil {
		return false
	}
	for _, params := range callerV2Params(p) {
		for _, q := range params {
			if q.obj == o {
				return q.called
			}
		}
	}
	return false
}

// isMessageV2Of reports whether c is a protoadapt.MessageV2Of call.
func isMessageV2Of(c *dst.CallExpr) bool {
	id, ok := c.Fun.(*dst.Ident)
	return ok && id.Path == v2Protoadapt && id.Name == "MessageV2Of" && len(c.Args) == 1
}

// paramUses counts, per object, the identifiers in body that are the
// argument of protoadapt.MessageV2Of and those that are anything else
// (under nil: identifiers rules built, whose object is unknown).
func paramUses(p *rule.Pass, body dst.Node) (wrapped, other map[types.Object]int) {
	wrapped, other = map[types.Object]int{}, map[types.Object]int{}
	inWrap := map[*dst.Ident]bool{}
	dst.Inspect(body, func(n dst.Node) bool {
		// v1's MessageV2 and MessageName: this rule itself rewrites them
		// to APIv2 calls.
		if c, ok := n.(*dst.CallExpr); ok && (isMessageV2Of(c) || len(c.Args) == 1 && (v1ProtoFunc(p.Callee(c)) == "MessageV2" || v1ProtoFunc(p.Callee(c)) == "MessageName")) {
			if id, ok := c.Args[0].(*dst.Ident); ok {
				inWrap[id] = true
			}
		}
		return true
	})
	dst.Inspect(body, func(n dst.Node) bool {
		id, ok := n.(*dst.Ident)
		if !ok || id.Path != "" {
			return true
		}
		o := p.ObjectOf(id)
		if inWrap[id] && o != nil {
			wrapped[o]++
		} else {
			other[o]++
		}
		return true
	})
	return wrapped, other
}

// hasNilObjIdent reports whether body spells name in an identifier
// without type information (one a rule built or copied).
func hasNilObjIdent(p *rule.Pass, body dst.Node, name string) bool {
	found := false
	dst.Inspect(body, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Name == name && id.Path == "" && p.ObjectOf(id) == nil {
			found = true
		}
		return !found
	})
	return found
}

// callArgs returns the arguments of every call of fn in the loaded
// package, or false when fn is used other than by being called.
func callArgs(p *rule.Pass, fn *types.Func) ([][]ast.Expr, bool) {
	var out [][]ast.Expr
	callee := map[*ast.Ident]bool{}
	p.PkgAstInspector().Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return
		}
		if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok && p.Info().Uses[id] == fn {
			if c.Ellipsis.IsValid() {
				return // not recorded as a call: counts as another use
			}
			callee[id] = true
			out = append(out, c.Args)
		}
	})
	for id, o := range p.Info().Uses {
		if o == fn && !callee[id] {
			return nil, false
		}
	}
	return out, true
}

// testFilesMention reports whether a Go file of the package's directory
// that the loaded package does not include (a test file, a file of
// another build configuration) spells name.
func testFilesMention(p *rule.Pass, name string) bool {
	loaded := map[string]bool{}
	for _, f := range p.Pkg.CompiledGoFiles {
		loaded[f] = true
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(p.Path), "*.go"))
	for _, f := range files {
		if loaded[f] {
			continue
		}
		if src, err := os.ReadFile(f); err == nil && bytes.Contains(src, []byte(name)) {
			return true
		}
	}
	return false
}

// v2ParamTypes returns the type identifiers of the parameter fields whose
// every name is in params; it drops from params the names of fields that
// also declare others (which would need the field split).
func v2ParamTypes(p *rule.Pass, params map[types.Object]bool) map[*dst.Ident]bool {
	out := map[*dst.Ident]bool{}
	for _, d := range p.File.Decls {
		fd, ok := d.(*dst.FuncDecl)
		if !ok || fd.Type.Params == nil {
			continue
		}
		for _, f := range fd.Type.Params.List {
			id, ok := f.Type.(*dst.Ident)
			if !ok || len(f.Names) == 0 {
				continue
			}
			all, any := true, false
			for _, nm := range f.Names {
				in := params[p.ObjectOf(nm)]
				all, any = all && in, any || in
			}
			switch {
			case all:
				out[id] = true
			case any:
				for _, nm := range f.Names {
					delete(params, p.ObjectOf(nm))
				}
			}
		}
	}
	return out
}
