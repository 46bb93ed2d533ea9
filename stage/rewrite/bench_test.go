package rewrite_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/protolift/protolift/internal/synthtree"
	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/stage/rewrite"
)

var (
	benchTree = flag.String("synth", "", "benchmark on this synthetic tree (go run ./internal/synthgen -o DIR); default: generate one per run")
	benchPkgs = flag.Int("synth.n", 2000, "packages in a generated synthetic tree")
)

// synthTree returns a warm synthetic module: 2,000 packages of which 5% use
// APIv1. Build caches are warmed by one untimed run of each measured tool.
func synthTree(b *testing.B) string {
	b.Helper()
	if *benchTree != "" {
		return *benchTree
	}
	_, self, _, _ := runtime.Caller(0)
	tmpl := filepath.Join(filepath.Dir(self), "..", "..", "ruletest", "testdata", "mod")
	mod, err := os.ReadFile(filepath.Join(tmpl, "go.mod"))
	if err != nil {
		b.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(tmpl, "go.sum"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := synthtree.Write(dir, synthtree.Options{Packages: *benchPkgs, V1Share: 0.05, GoMod: mod, GoSum: sum}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkGoStage measures `protolift go -l ./...` in process on the
// synthetic tree; the Reference benchmarks run go vet and the modernize
// analysis driver on the same tree as whole processes, so the README can
// state ratios measured on one machine in one run:
//
//	go test ./rewrite -run '^$' -bench . -benchtime 5x -count 6 | tee bench.txt
//	benchstat bench.txt
func BenchmarkGoStage(b *testing.B) {
	dir := synthTree(b)
	ctx := context.Background()
	run := func() *rewrite.Result {
		res, err := rewrite.Run(ctx, rewrite.Options{Dir: dir, Rules: registry.All()})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	run() // warm the build cache (export data of dependencies)
	b.ResetTimer()
	for range b.N {
		res := run()
		b.ReportMetric(float64(res.Loaded), "pkgs-loaded")
		b.ReportMetric(float64(len(res.Files)), "files-changed")
	}
}

// BenchmarkWholeProcess times protolift's binary and the two reference
// tools as whole processes on the same warm tree: the README's ratios are
// protolift/govet and protolift/modernize from this benchmark.
func BenchmarkWholeProcess(b *testing.B) {
	dir := synthTree(b)
	tmp := b.TempDir()
	bin := func(name, pkg string) string {
		out := filepath.Join(tmp, name)
		build := exec.Command("go", "build", "-o", out, pkg)
		if msg, err := build.CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", pkg, err, msg)
		}
		return out
	}
	protolift := bin("protolift", "github.com/protolift/protolift/cmd/protolift")
	modernize := bin("modernize", "golang.org/x/tools/go/analysis/passes/modernize/cmd/modernize")
	for _, tc := range []struct {
		name string
		argv []string
	}{
		{"protolift", []string{protolift, "go", "-l", "./..."}},
		{"govet", []string{"go", "vet", "./..."}},
		{"modernize", []string{modernize, "./..."}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cmd := func() {
				c := exec.Command(tc.argv[0], tc.argv[1:]...)
				c.Dir = dir
				// Both tools exit non-zero when they have findings; only
				// the time matters here.
				_ = c.Run()
			}
			cmd() // warm
			b.ResetTimer()
			for range b.N {
				cmd()
			}
		})
	}
}
