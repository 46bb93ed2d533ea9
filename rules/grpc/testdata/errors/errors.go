package errors

import (
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

func notFound(name string) error {
	// Leading comment survives.
	return grpc.Errorf(codes.NotFound /* code */, "no %s", name) // trailing
}

func classify(err error) codes.Code {
	return grpc.Code(err)
}

func describe(err error) string {
	return fmt.Sprintf("%s: %s", grpc.Code(err), grpc.ErrorDesc(err /* inner */))
}

func nested(err error) error {
	return grpc.Errorf(grpc.Code(err), "wrapped: %s", grpc.ErrorDesc(errors.Unwrap(err)))
}

var mk = grpc.Errorf

func values() {
	code := grpc.Code
	_ = code
	desc := grpc.ErrorDesc // want "function value"
	_ = desc
	_ = grpc.Errorf(codes.OK, "")
}

func closed(err error) bool {
	return err == grpc.ErrClientConnClosing // want "ErrClientConnClosing is deprecated"
}

func timedOut(err error) bool {
	return errors.Is(err, grpc.ErrClientConnTimeout) // want "never returned"
}
