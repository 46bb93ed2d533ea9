package grpcserver_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/protolift/protolift/ruletest"

	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/rules/grpcserver"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestBehaviour migrates testdata/behave in both embedding modes and
// runs the result against real grpc-go: registration must not panic and
// the hand-written method must still answer the RPC.
func TestBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go test on the migrated code in a temporary module")
	}
	for _, mode := range []string{"embed", "unsafe"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel() // separate modules; each mostly waits on go test
			behave(t, mode)
		})
	}
}

func behave(t *testing.T, mode string) {
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Dir(self)
	tmp := ruletest.TempModule(t, map[string]string{
		"svcpb/greeter_grpc.pb.go": filepath.Join(here, "testdata", "behave", "svcpb", "greeter_grpc.pb.go"),
		"server/server.go":         filepath.Join(here, "testdata", "behave", "server", "server.go"),
	})
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: tmp, Rules: []*rule.Rule{grpcserver.Unimplemented},
		RuleOptions: map[string]string{"grpc.server": mode}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("the rule changed %d files, want server.go", len(res.Files))
	}
	for _, d := range res.Diags {
		t.Errorf("unexpected diagnostic: %s:%d: %s", d.Path, d.Start.Line, d.Message)
	}
	if err := os.WriteFile(res.Files[0].Path, res.Files[0].New, 0o644); err != nil {
		t.Fatal(err)
	}
	ruletest.TempModuleFile(t, filepath.Join(here, "testdata", "behave_test.go.txt"), filepath.Join(tmp, "server", "server_test.go"))
	cmd := exec.Command("go", "test", "-count=1", "./server/")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("migrated server misbehaves (%v):\n%s\n--- migrated server.go ---\n%s", err, out, res.Files[0].New)
	}
}
