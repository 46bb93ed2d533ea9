package grpc_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestRequires checks that each rule asks for the grpc release that first
// has the APIs it writes (the highest one over its case), and that rules
// which only delete or report ask for nothing.
func TestRequires(t *testing.T) {
	tmp := t.TempDir()
	copyTree(t, filepath.Join("..", "..", "ruletest", "testdata", "mod"), tmp)
	copyTree(t, "testdata", tmp)
	for _, tc := range []struct{ rule, dir, want string }{
		{"grpc.errors", "errors", "v1.10.0"},
		{"grpc.creds", "creds", "v1.34.0"},
		{"grpc.options", "options", "v1.25.0"},
		{"grpc.codec", "codec", "v1.38.0"},
		{"grpc.compression", "compression", "v1.8.0"},
		{"grpc.metadata", "metadata", ""},
		{"grpc.logging", "logging", "v1.5.0"},
		{"grpc.stats", "stats", "v1.75.0"},
		{"grpc.resolver", "resolver", "v1.72.0"},
		{"grpc.balancer", "balancer", "v1.58.0"},
		{"grpc.misc", "misc", ""},
	} {
		// Each rule loads its own case; the runs only read the tree.
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			rs, err := registry.Select(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: tmp, Patterns: []string{"./" + tc.dir}, Rules: rs})
			if err != nil {
				t.Fatalf("%s: %v", tc.rule, err)
			}
			if got := res.Requires["google.golang.org/grpc"]; got != tc.want {
				t.Errorf("%s on %s: requires grpc %q, want %q", tc.rule, tc.dir, got, tc.want)
			}
		})
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".golden") {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(to, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
