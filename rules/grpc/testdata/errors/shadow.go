package errors

import (
	g "google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

type fake struct{}

func (fake) Errorf(c codes.Code, f string, a ...any) error { return nil }
func (fake) Code(err error) codes.Code                     { return codes.OK }

// A local variable named like the package must not be touched, and the
// aliased import must be followed.
func shadowed(err error) error {
	grpc := fake{}
	_ = grpc.Code(err)
	return grpc.Errorf(codes.Internal, "x")
}

// status is a local name here: the rewrite must import status under
// another name.
func localStatus(err error) error {
	status := "s"
	_ = status
	return g.Errorf(g.Code(err), "%s", g.ErrorDesc(err))
}
