// Command gen writes the synthetic benchmark module:
//
//	go run ./internal/synthgen -o /tmp/synth -n 2000 -v1 0.05
//
// The module requires the same golang/protobuf and google.golang.org/protobuf
// versions as protolift's rule tests.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/protolift/protolift/internal/synthtree"
)

func main() {
	out := flag.String("o", "", "output directory (required)")
	n := flag.Int("n", 2000, "number of packages")
	v1 := flag.Float64("v1", 0.05, "share of packages using golang/protobuf APIv1")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -o is required")
		os.Exit(2)
	}
	mod, sum, err := Template()
	if err == nil {
		err = synthtree.Write(*out, synthtree.Options{Packages: *n, V1Share: *v1, GoMod: mod, GoSum: sum})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// Template reads the go.mod/go.sum template shipped with the rule tests.
func Template() (mod, sum []byte, err error) {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "..", "ruletest", "testdata", "mod")
	if mod, err = os.ReadFile(filepath.Join(dir, "go.mod")); err != nil {
		return nil, nil, err
	}
	sum, err = os.ReadFile(filepath.Join(dir, "go.sum"))
	return mod, sum, err
}
