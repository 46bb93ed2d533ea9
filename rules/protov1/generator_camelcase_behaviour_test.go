package protov1_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/rules/protov1"
	"github.com/protolift/protolift/ruletest"
)

// TestGeneratorCamelCaseHelperMatchesV1 builds the helper
// protov1.generator.camelcase writes next to golang/protobuf's
// generator.CamelCase and CamelCaseSlice and compares them on every
// string of up to five bytes over '_', lower and upper case letters,
// digits, '.' and a non-ASCII byte, and on real protobuf names.
func TestGeneratorCamelCaseHelperMatchesV1(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program against golang/protobuf's generator package")
	}
	dir := ruletest.TempModule(t, nil)
	main := `package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/golang/protobuf/protoc-gen-go/generator"
)

` + protov1.CamelCaseHelperDecl + `

func main() {
	alphabet := []string{"_", "a", "z", "A", "Z", "0", "9", ".", "\xc3"}
	inputs := []string{"", "foo_bar", "_foo", "__x", "foo__bar", "Foo_Bar", "foo_bar_baz2", "x_1y", "grpc.gateway.v1", "HTTPRule", "ns_Type_name", "a_b_", "_"}
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		inputs = append(inputs, prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(prefix+c, n-1)
		}
	}
	grow("", 5)
	bad := 0
	for _, s := range inputs {
		if got, want := protoCamelCase(s), generator.CamelCase(s); got != want {
			fmt.Printf("CamelCase(%q): helper %q, v1 %q\n", s, got, want)
			bad++
		}
		elem := strings.Split(s, ".")
		if got, want := protoCamelCase(strings.Join(elem, "_")), generator.CamelCaseSlice(elem); got != want {
			fmt.Printf("CamelCaseSlice(%q): helper %q, v1 %q\n", elem, got, want)
			bad++
		}
	}
	fmt.Println(len(inputs), "inputs")
	if bad > 0 {
		os.Exit(1)
	}
}
`
	if err := os.MkdirAll(filepath.Join(dir, "cmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmp", "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./cmp")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper and generator.CamelCase differ (%v):\n%s", err, out)
	}
	if !strings.Contains(string(out), "inputs") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	t.Log(strings.TrimSpace(string(out)))
}
