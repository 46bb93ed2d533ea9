package balancer

import (
	"errors"

	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/resolver"
)

type lb struct {
	cc    balancer.ClientConn
	subs  []balancer.SubConn
	inner balancer.Balancer
}

func (b *lb) drop(sc balancer.SubConn) {
	// Release the connection.
	b.cc.RemoveSubConn(sc) // gone
	defer b.cc.RemoveSubConn(b.subs[0])
}

func (b *lb) dropVia(get func() balancer.ClientConn, sc balancer.SubConn) {
	get().RemoveSubConn(sc) // want "side effects"
}

func (b *lb) misc(addrs []resolver.Address) error {
	_ = b.cc.Target()                                                               // want "BuildOptions"
	b.cc.UpdateAddresses(b.subs[0], addrs)                                          // want "create a new SubConn"
	sc, err := b.cc.NewSubConn(addrs, balancer.NewSubConnOptions{CredsBundle: nil}) // want "single address" // want "CredsBundle is deprecated"
	if err != nil {
		return err
	}
	b.inner.UpdateSubConnState(sc, balancer.SubConnState{}) // want "StateListener"
	if errors.Is(err, balancer.ErrTransientFailure) {       // want "ErrTransientFailure is deprecated"
		return balancer.TransientFailureError(err) // want "TransientFailureError is deprecated"
	}
	return nil
}

var _ balancer.ExitIdler = (*lb)(nil) // want "ExitIdler is deprecated"

func (*lb) ExitIdle() {}
