package dial

import "google.golang.org/grpc"

// A blocking dial in any expression position becomes one call of the
// package's newClientAndWait helper: no statements need to follow it.

func blockingInIf() error {
	if _, err := grpc.Dial("bufnet", creds, grpc.WithBlock()); err != nil {
		return err
	}
	return nil
}

func blockingArg() error {
	return use(grpc.Dial("bufnet", creds, grpc.WithBlock()))
}
