package hostport

import (
	"fmt"
	"net"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var creds = grpc.WithTransportCredentials(insecure.NewCredentials())

// Targets that are statically a host:port get "passthrough:///", which is
// what Dial chose for them; no run-time scheme test is needed.

func joined(host string, port int) (*grpc.ClientConn, error) {
	return grpc.Dial(net.JoinHostPort(host, strconv.Itoa(port)), creds)
}

func sprintf(host string, port int) (*grpc.ClientConn, error) {
	return grpc.Dial(fmt.Sprintf("%s:%d", host, port), creds)
}

func localhostPort(port int) (*grpc.ClientConn, error) {
	return grpc.Dial(fmt.Sprintf("localhost:%d", port), creds)
}

func listener(l net.Listener) (*grpc.ClientConn, error) {
	return grpc.Dial(l.Addr().String(), creds, grpc.WithBlock())
}

func concat(host string, port int) (*grpc.ClientConn, error) {
	return grpc.Dial(host+":"+strconv.Itoa(port), creds)
}

// addr only ever holds host:port values.
func variable(host string, port int, local bool) (*grpc.ClientConn, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if local {
		addr = "localhost:50051"
	}
	return grpc.Dial(addr, creds)
}

// target may hold anything: the run-time test stays, in the helper.
func mixed(host string, port int, override string) (*grpc.ClientConn, error) {
	target := net.JoinHostPort(host, strconv.Itoa(port))
	if override != "" {
		target = override
	}
	return grpc.Dial(target, creds)
}

// A parameter reassigned a host:port still arrives with any value.
func param(addr string) (*grpc.ClientConn, error) {
	if addr == "" {
		addr = "localhost:50051"
	}
	return grpc.Dial(addr, creds)
}

// fmt.Sprintf with a scheme in its format keeps the run-time test.
func scheme(name string) (*grpc.ClientConn, error) {
	return grpc.Dial(fmt.Sprintf("unix:%s", name), creds)
}

// A target on a line of its own keeps its line: the prefix goes in front
// of it, not at the end of the line before.
func ownLine(l net.Listener) (*grpc.ClientConn, error) {
	return grpc.Dial(
		l.Addr().String(),
		creds,
		grpc.WithBlock(),
	)
}
