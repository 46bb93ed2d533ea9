package grpc

import (
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Resolver rewrites deprecated resolver APIs (spec C.6):
//
//	resolver.AddressMap      →  resolver.AddressMapV2[any]     (AddressMap is that alias)
//	resolver.NewAddressMap() →  resolver.NewAddressMapV2[any]()
//	dns.NewBuilder()         →  resolver.Get("dns")
//
// The first two are safe. dns.NewBuilder built a fresh builder of gRPC's
// own DNS resolver while resolver.Get returns whatever is registered for
// "dns" — the same builder unless the program registered another one:
// review.
//
// Reported: ClientConn.NewAddress (UpdateState returns an error that must
// be handled and replaces the whole state, while NewAddress kept the
// current service config), Address.Metadata and Address.BalancerAttributes
// (move the data to Attributes / endpoint attributes), and the Keys/Values
// methods of AddressMapV2 and EndpointMap (slices became the All()
// iterator, so the loop around them changes). Rows for identifiers removed
// before grpc 1.85 (BuildOption, ResolveNowOption, Target.Scheme, manual
// resolver methods, naming) are not handled: such code does not build
// against a current grpc.
var Resolver = &rule.Rule{
	Name:    "grpc.resolver",
	Doc:     "resolver.AddressMap/NewAddressMap → AddressMapV2[any], dns.NewBuilder → resolver.Get(\"dns\"); other deprecated resolver APIs reported",
	Risk:    change.Review,
	Imports: []string{resolverPath, dnsPath},
	Run:     runResolver,
}

func runResolver(p *rule.Pass) {
	anyIndex := func(name string) dst.Expr {
		return &dst.IndexExpr{X: rule.QualifiedIdent(resolverPath, name), Index: dst.NewIdent("any")}
	}
	embedded := p.EmbeddedTypes()
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			f := p.Callee(n)
			switch {
			case rule.IsPkgFunc(f, dnsPath, "NewBuilder") && len(n.Args) == 0:
				p.Changed(n, change.Review, "dns.NewBuilder() → resolver.Get(\"dns\") (the builder registered for \"dns\", gRPC's own unless replaced)")
				replace(c, rule.Call(rule.QualifiedIdent(resolverPath, "Get"), &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote("dns")}))
				p.Require(grpcModule, "v1.7.0")
			case rule.IsPkgFunc(f, resolverPath, "NewAddressMap") && len(n.Args) == 0:
				p.Changed(n, change.Safe, "resolver.NewAddressMap() → resolver.NewAddressMapV2[any]()")
				replace(c, rule.Call(anyIndex("NewAddressMapV2")))
				p.Require(grpcModule, "v1.72.0")
			case rule.IsMethod(f, resolverPath, "ClientConn", "NewAddress"):
				p.Report(n, change.Manual, "resolver.ClientConn.NewAddress is deprecated: UpdateState replaces the whole state (keep the service config you want in it) and returns an error (e.g. balancer.ErrBadResolverState) that the resolver must handle",
					"if err := cc.UpdateState(resolver.State{Addresses: addrs, ServiceConfig: sc}); err != nil {\n\t// re-resolve or report\n}")
			case isMapMethod(f, "Keys") || isMapMethod(f, "Values"):
				p.Report(n, change.Manual, "resolver map "+f.Name()+"() is deprecated: range over All(), which yields key/value pairs instead of building a slice", "for k, v := range m.All() { ... }")
			}
		case *dst.SelectorExpr:
			if v, ok := p.ObjectOf(n.Sel).(*types.Var); ok && v.IsField() && rule.IsNamed(p.TypeOf(n.X), resolverPath, "Address") {
				addressFieldReport(p, n, n.Sel.Name)
			}
		case *dst.CompositeLit:
			if !rule.IsNamed(p.TypeOf(n), resolverPath, "Address") {
				return true
			}
			for _, e := range n.Elts {
				if kv, ok := e.(*dst.KeyValueExpr); ok {
					if k, ok := kv.Key.(*dst.Ident); ok {
						addressFieldReport(p, kv, k.Name)
					}
				}
			}
		case *dst.Ident:
			if n.Path == "" || isCallFun(c) {
				return true
			}
			switch {
			case isPkgObj(p, n, resolverPath, "AddressMap") && embedded[n]:
				p.Report(n, change.Manual, "not rewritten: resolver.AddressMap is an embedded field, named AddressMap after its type; as resolver.AddressMapV2[any] the field would be renamed, so every x.AddressMap selector and `AddressMap:` key would stop compiling", "keep the embedded field until its users move, or name it: AddressMap *resolver.AddressMapV2[any] (its methods are then no longer promoted)")
			case isPkgObj(p, n, resolverPath, "AddressMap"):
				p.Changed(n, change.Safe, "resolver.AddressMap → resolver.AddressMapV2[any]")
				replace(c, anyIndex("AddressMapV2"))
				p.Require(grpcModule, "v1.72.0")
			case isPkgObj(p, n, resolverPath, "NewAddressMap"):
				p.Changed(n, change.Safe, "resolver.NewAddressMap → resolver.NewAddressMapV2[any]")
				replace(c, anyIndex("NewAddressMapV2"))
				p.Require(grpcModule, "v1.72.0")
			case isPkgObj(p, n, dnsPath, "NewBuilder"):
				p.Report(n, change.Manual, "dns.NewBuilder is deprecated and used as a function value; use resolver.Get(\"dns\")", "func() resolver.Builder { return resolver.Get(\"dns\") }")
			}
		}
		return true
	})
}

func isMapMethod(f *types.Func, name string) bool {
	return rule.IsMethod(f, resolverPath, "AddressMapV2", name) || rule.IsMethod(f, resolverPath, "EndpointMap", name)
}

func addressFieldReport(p *rule.Pass, n dst.Node, field string) {
	switch field {
	case "Metadata":
		p.Report(n, change.Manual, "resolver.Address.Metadata is deprecated: store the data in Attributes", "Attributes: attributes.New(key, value)")
	case "BalancerAttributes":
		p.Report(n, change.Manual, "resolver.Address.BalancerAttributes is deprecated: put balancer attributes on the resolver.Endpoint holding the address", "")
	}
}
