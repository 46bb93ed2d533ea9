package grpcdial_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/protolift/protolift/ruletest"

	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/rules/grpcdial"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestBehaviour migrates testdata/behave with the dial rules and runs the
// result against real grpc-go: a dial of "bufnet" through a custom dialer
// must carry an RPC, and blocking dials to a dead port must still fail
// within their bound instead of returning a lazy conn.
func TestBehaviour(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go test on the migrated code in a temporary module")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is needed to run the migrated code:", err)
	}
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Dir(self)
	tmp := ruletest.TempModule(t, map[string]string{"behave/behave.go": filepath.Join(here, "testdata", "behave", "behave.go")})

	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: tmp, Rules: []*rule.Rule{grpcdial.Dial, grpcdial.WithDialer}})
	if err != nil {
		t.Fatal(err)
	}
	// behave.go, and the package's helper file (newClientAndWait,
	// dialTarget) created beside it.
	if len(res.Files) != 2 || res.Lookup(filepath.Join(tmp, "behave", "protolift_helpers.go")) == nil {
		t.Fatalf("the rule changed %d files, want behave.go and a created protolift_helpers.go", len(res.Files))
	}
	for _, d := range res.Diags {
		t.Errorf("unexpected diagnostic: %s:%d: %s", d.Path, d.Start.Line, d.Message)
	}
	var migrated []byte
	for _, f := range res.Files {
		if bytes.Contains(f.New, []byte("grpc.Dial(")) {
			t.Fatalf("migrated code still dials with grpc.Dial:\n%s", f.New)
		}
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f.Path) == "behave.go" {
			migrated = f.New
		}
	}
	ruletest.TempModuleFile(t, filepath.Join(here, "testdata", "behave_test.go.txt"), filepath.Join(tmp, "behave", "behave_test.go"))

	cmd := exec.Command("go", "test", "-count=1", "./behave/")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("migrated code misbehaves (%v):\n%s\n--- migrated behave.go ---\n%s", err, out, migrated)
	}
}
