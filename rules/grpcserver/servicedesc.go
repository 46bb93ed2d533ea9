package grpcserver

import (
	"fmt"
	"go/types"
	"path"
	"regexp"
	"strconv"

	"github.com/dave/dst"
	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// ServiceDesc repairs hand-written code that used names plugins=grpc
// generated and protoc-gen-go-grpc changed (spec D.3 rows ServiceDesc
// and Register signature). Risk: safe.
//
//   - `_X_serviceDesc`, the unexported descriptor that only code in the
//     generated package could reach, is now the exported X_ServiceDesc
//     with the same content: references are renamed.
//   - RegisterXServer took a *grpc.Server and now takes a
//     grpc.ServiceRegistrar. Calls compile unchanged, but the function
//     used as a value where a func(*grpc.Server, XServer) is expected
//     does not: exactly there (the position of that type error) it is
//     wrapped as `func(s *grpc.Server, srv pb.XServer) {
//     pb.RegisterXServer(s, srv) }`, which registers the same way.
//
// Anything else stays as it is: other uses of RegisterXServer as a value
// still compile.
var ServiceDesc = &rule.Rule{
	Name:    "grpc.server.servicedesc",
	Doc:     "_X_serviceDesc → X_ServiceDesc; RegisterXServer values adapted to func(*grpc.Server, XServer)",
	Risk:    change.Safe,
	Imports: []string{rule.GRPCGenerated},
	Repairs: []string{
		`undefined: _\w+_serviceDesc`,
		registerValueErr,
	},
	Run: runServiceDesc,
}

const registerValueErr = `cannot use .*Register\w+Server \(value of type func\(s grpc\.ServiceRegistrar, srv [\w.]+Server\)\) as func\(\*grpc\.Server, [\w.]+Server\) value`

var (
	oldDescName  = regexp.MustCompile(`^_(\w+)_serviceDesc$`)
	registerVal  = regexp.MustCompile(registerValueErr)
	grpcPkgPath  = "google.golang.org/grpc"
	serviceDescT = "ServiceDesc"
)

func runServiceDesc(p *rule.Pass) {
	if isGeneratedFile(p.Path) {
		return
	}
	in := p.Inspector()
	sels := map[*dst.Ident]bool{}
	for s := range rule.Nodes[*dst.SelectorExpr](in) {
		sels[s.Sel] = true
	}
	svcs := services(p)
	called := map[dst.Node]bool{}
	for c := range rule.Nodes[*dst.CallExpr](in) {
		called[c.Fun] = true
	}
	for id := range rule.Nodes[*dst.Ident](in) {
		if sels[id] {
			continue
		}
		if id.Path == "" {
			renameDesc(p, id)
		}
		if !called[id] {
			for _, s := range svcs {
				if f, ok := p.ObjectOf(id).(*types.Func); ok && f.Pkg() == s.pkg && f.Name() == s.register() {
					adaptRegister(p, in, id, s)
				}
			}
		}
	}
}

// renameDesc renames an undefined _X_serviceDesc when the package now
// declares X_ServiceDesc.
func renameDesc(p *rule.Pass, id *dst.Ident) {
	m := oldDescName.FindStringSubmatch(id.Name)
	if m == nil || p.ObjectOf(id) != nil {
		return
	}
	v, ok := p.Pkg.Types.Scope().Lookup(m[1] + "_ServiceDesc").(*types.Var)
	if !ok || !rule.IsNamed(v.Type(), grpcPkgPath, serviceDescT) {
		return
	}
	p.Changed(id, change.Safe, id.Name+" → "+v.Name()+" (protoc-gen-go-grpc exports the same service descriptor under this name)")
	id.Name = v.Name()
}

// adaptRegister wraps a RegisterXServer value where the type checker
// says a func(*grpc.Server, XServer) was expected.
func adaptRegister(p *rule.Pass, in *rule.Inspector, id *dst.Ident, s *service) {
	start, _ := p.Pos(id)
	if start.Line == 0 {
		return
	}
	pos := fmt.Sprintf("%s:%d:%d", p.Path, start.Line, start.Col)
	if !hasError(p.Pkg, pos, registerVal) {
		return
	}
	srvName, regName := "s", "srv"
	for _, is := range p.AstFile.Imports {
		name := ""
		if is.Name != nil {
			name = is.Name.Name
		} else if v, err := strconv.Unquote(is.Path.Value); err == nil {
			name = path.Base(v)
		}
		if name == srvName {
			srvName = "gs"
		}
		if name == regName {
			regName = "impl"
		}
	}
	ref := &dst.Ident{Name: id.Name, Path: id.Path}
	var srvType dst.Expr = rule.QualifiedIdent(s.pkg.Path(), s.server())
	if s.pkg == p.Pkg.Types {
		srvType = dst.NewIdent(s.server())
	}
	lit := &dst.FuncLit{
		Type: &dst.FuncType{Params: &dst.FieldList{List: []*dst.Field{
			{Names: []*dst.Ident{dst.NewIdent(srvName)}, Type: &dst.StarExpr{X: rule.QualifiedIdent(grpcPkgPath, "Server")}},
			{Names: []*dst.Ident{dst.NewIdent(regName)}, Type: srvType},
		}}},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: rule.Call(ref, dst.NewIdent(srvName), dst.NewIdent(regName))}}},
	}
	if !replaceExpr(in, id, lit) {
		p.Report(id, change.Manual, "not rewritten: "+s.register()+" now takes a grpc.ServiceRegistrar and is used as a func(*grpc.Server, "+s.qualified(s.server())+") in a position protolift does not edit; wrap it in a func literal that calls it", "")
		return
	}
	p.Changed(id, change.Safe, s.register()+" now takes a grpc.ServiceRegistrar; wrapped in a func(*grpc.Server, "+s.qualified(s.server())+") that calls it, where that type is expected")
	rule.MoveDecs(id, lit)
	*id.Decorations() = dst.NodeDecs{}
}

func hasError(pkg *packages.Package, pos string, re *regexp.Regexp) bool {
	for _, e := range pkg.Errors {
		if e.Kind == packages.TypeError && e.Pos == pos && re.MatchString(e.Msg) {
			return true
		}
	}
	return false
}

// replaceExpr swaps old for repl in its parent (in the snapshot in),
// reporting whether old sits in a position it knows.
func replaceExpr(in *rule.Inspector, old *dst.Ident, repl dst.Expr) bool {
	done := false
	set := func(slot *dst.Expr) {
		if *slot == old {
			*slot = repl
			done = true
		}
	}
	switch n := in.Parent(old).(type) {
	case *dst.ValueSpec:
		for i := range n.Values {
			set(&n.Values[i])
		}
	case *dst.AssignStmt:
		for i := range n.Rhs {
			set(&n.Rhs[i])
		}
	case *dst.CallExpr:
		for i := range n.Args {
			set(&n.Args[i])
		}
	case *dst.KeyValueExpr:
		set(&n.Value)
	case *dst.CompositeLit:
		for i := range n.Elts {
			set(&n.Elts[i])
		}
	case *dst.ReturnStmt:
		for i := range n.Results {
			set(&n.Results[i])
		}
	}
	return done
}
