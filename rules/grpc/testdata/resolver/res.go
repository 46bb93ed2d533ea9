package resolver

import (
	"google.golang.org/grpc/attributes"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/dns"
)

type picker struct {
	seen *resolver.AddressMap // addresses seen so far
}

func newPicker() *picker {
	return &picker{seen: resolver.NewAddressMap( /* empty */ )}
}

var mk = resolver.NewAddressMap

func builder() resolver.Builder {
	return dns.NewBuilder()
}

func push(cc resolver.ClientConn, addrs []resolver.Address) {
	cc.NewAddress(addrs) // want "UpdateState replaces the whole state"
}

func addresses(m *resolver.AddressMapV2[int], em *resolver.EndpointMap[string]) int {
	a := resolver.Address{Addr: "x", Metadata: 1}   // want "Metadata is deprecated"
	_ = a.Metadata                                  // want "Metadata is deprecated"
	a.BalancerAttributes = attributes.New("k", "v") // want "BalancerAttributes is deprecated"
	return len(m.Keys()) + len(em.Values())         // want "Keys.. is deprecated" // want "Values.. is deprecated"
}

// seenSet embeds the map: the field is called AddressMap after its type,
// so renaming the type would rename the field.
type seenSet struct {
	*resolver.AddressMap // want "resolver.AddressMap is an embedded field"
}

func (s seenSet) size() int { return s.AddressMap.Len() }
