package dial

import (
	. "google.golang.org/grpc"
	g "google.golang.org/grpc"
)

func aliased() (*g.ClientConn, error) {
	return g.Dial("bufnet", creds)
}

func dotted() (*ClientConn, error) {
	return Dial(
		"bufnet", // the in-memory name
		creds,
		WithBlock(), // wait
	)
}
