package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A version raise that removes an API the module calls (grpc-go's
// WithBalancerName, gone by v1.34, which insecure.NewCredentials needs) is
// withdrawn with the rewrite that needed it: the error names
// grpc.WithBalancerName, which the erring file imports from the raised
// module (issue 9, 5b).
func TestRaiseThatRemovesAnAPIIsWithdrawn(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads grpc v1.20.1 through the module proxy; runs without -short")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), []byte("module example.com/balancer\n\ngo 1.21\n\nrequire google.golang.org/grpc v1.20.1\n"))
	dial := `package app

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/balancer/roundrobin"
)

// Conn dials addr, balancing round-robin.
func Conn(addr string) (*grpc.ClientConn, error) {
	return grpc.Dial(addr, grpc.WithInsecure(), Balancer())
}

// Balancer is the old way to pick a balancer.
func Balancer() grpc.DialOption {
	return grpc.WithBalancerName(roundrobin.Name)
}
`
	write(t, filepath.Join(dir, "app", "a.go"), []byte(dial))
	goIn(t, dir, "mod", "tidy")
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	code, _, errOut := protolift(t, "-C", dir, "-w", "./...")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	for _, want := range []string{
		"mod.raise: google.golang.org/grpc was not raised: the new version breaks the build: undefined: grpc.WithBalancerName (at app/a.go:16:14)",
		"app/a.go:10:25: grpc.creds: not rewritten: it needs google.golang.org/grpc v1.34.0, and raising google.golang.org/grpc breaks the build",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(now) != string(gomod) {
		t.Errorf("go.mod changed:\n%s", now)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "app", "a.go")); string(now) != dial {
		t.Errorf("a.go changed:\n%s", now)
	}
	goIn(t, dir, "build", "./...")
	goIn(t, dir, "vet", "./...")
}
