// Package grpcserver holds the rules that keep hand-written gRPC server
// code compiling, unchanged in behaviour, when its generated code moves
// from protoc-gen-go plugins=grpc to protoc-gen-go-grpc (spec D.3).
package grpcserver

import (
	"go/types"
	"regexp"
	"sort"
	"strings"

	"github.com/protolift/protolift/rule"
)

// service is one gRPC service whose generated code is protoc-gen-go-grpc
// output: its XServer interface carries mustEmbedUnimplementedXServer.
type service struct {
	pkg   *types.Package
	name  string // "Greeter" for GreeterServer
	iface *types.Interface
}

func (s *service) server() string        { return s.name + "Server" }
func (s *service) unimplemented() string { return "Unimplemented" + s.name + "Server" }
func (s *service) unsafe() string        { return "Unsafe" + s.name + "Server" }
func (s *service) mustEmbed() string     { return "mustEmbedUnimplemented" + s.name + "Server" }
func (s *service) register() string      { return "Register" + s.name + "Server" }

var unimplementedName = regexp.MustCompile(`^Unimplemented(\w+)Server$`)

// services finds the protoc-gen-go-grpc services visible to the package:
// its own and those of the packages it imports directly.
func services(p *rule.Pass) []*service {
	pkgs := []*types.Package{p.Pkg.Types}
	pkgs = append(pkgs, p.Pkg.Types.Imports()...)
	var out []*service
	for _, pkg := range pkgs {
		scope := pkg.Scope()
		for _, n := range scope.Names() {
			m := unimplementedName.FindStringSubmatch(n)
			if m == nil {
				continue
			}
			s := &service{pkg: pkg, name: m[1]}
			tn, ok := scope.Lookup(s.server()).(*types.TypeName)
			if !ok {
				continue
			}
			iface, ok := tn.Type().Underlying().(*types.Interface)
			if !ok {
				continue
			}
			has := false
			for i := 0; i < iface.NumMethods(); i++ {
				has = has || iface.Method(i).Name() == s.mustEmbed()
			}
			if has {
				s.iface = iface
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pkg.Path() != out[j].pkg.Path() {
			return out[i].pkg.Path() < out[j].pkg.Path()
		}
		return out[i].name < out[j].name
	})
	return out
}

// rpcMethods are the service's exported methods.
func (s *service) rpcMethods() []*types.Func {
	var out []*types.Func
	for i := 0; i < s.iface.NumMethods(); i++ {
		if m := s.iface.Method(i); m.Exported() {
			out = append(out, m)
		}
	}
	return out
}

// qualified spells a generated name for messages.
func (s *service) qualified(name string) string {
	return s.pkg.Name() + "." + name
}

func isGeneratedFile(path string) bool {
	return strings.HasSuffix(path, ".pb.go")
}
