package grpcserver_test

import (
	"testing"

	"github.com/protolift/protolift/rules/grpcserver"
	"github.com/protolift/protolift/ruletest"
)

// TestUnimplemented checks the default mode: UnimplementedXServer
// embedded by value.
func TestUnimplemented(t *testing.T) {
	t.Parallel() // three separate modules: they load side by side
	ruletest.Check(t, "testdata/unimplemented", grpcserver.Unimplemented)
}

// TestUnimplementedUnsafe checks -grpc-server=unsafe: UnsafeXServer is
// embedded instead.
func TestUnimplementedUnsafe(t *testing.T) {
	t.Parallel() // three separate modules: they load side by side
	ruletest.CheckWith(t, "testdata/unimplemented_unsafe", map[string]string{"grpc.server": "unsafe"}, grpcserver.Unimplemented)
}

// TestServiceDesc checks the renamed descriptor and the adapted
// RegisterXServer values.
func TestServiceDesc(t *testing.T) {
	t.Parallel() // three separate modules: they load side by side
	ruletest.Check(t, "testdata/servicedesc", grpcserver.ServiceDesc)
}
