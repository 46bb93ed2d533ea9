package errors

import (
	"google.golang.org/grpc/codes"

	. "google.golang.org/grpc"
)

func dot(err error) error {
	return Errorf(Code(err), "%s", codes.Unknown)
}
