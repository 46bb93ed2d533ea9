// Command protolift migrates Go code off the legacy protobuf/gRPC stack:
// github.com/golang/protobuf (APIv1) to google.golang.org/protobuf,
// deprecated grpc-go APIs to current ones, old generated code to current
// generators, and .proto files to valid syntax or Editions.
//
// Usage:
//
//	protolift [stage] [flags] [packages]
//
// With no stage, every stage runs in order (proto, gen, go, mod), each
// seeing the previous stages' output. Like gofmt, the default is to print
// a unified diff and write nothing; -l lists the files that would change
// and -w writes them. Exit status: 0 success (including nothing to do), 1
// when findings that need a person remain, 2 on usage or processing
// errors.
package main

import (
	"fmt"
	"io"
	"os"
)

// usageText is printed by -h and on usage errors.
const usageText = `usage: protolift [stage] [flags] [packages]

Stages (default: all, in this order):
  proto      fix .proto files (reserved syntax, go_package; -edition=2023 converts to Editions)
  gen        regenerate legacy generated Go code with current generators
  go         rewrite Go code (golang/protobuf APIv1 → APIv2, deprecated grpc-go APIs)
  mod        update go.mod and go.sum for the rewritten code

Other commands:
  diffcheck  compare the Go API two generator sets (or two .proto revisions) produce; see protolift diffcheck -h
  rules      list every Go rewrite rule with its risk and one-line doc
  version    print the version

Packages are patterns as for the go command (default ./...).

Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exit codes, as go vet uses them.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

func run(args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 {
		switch args[0] {
		case "proto", "gen", "go", "mod", "rules", "diffcheck", "version", "help":
			cmd, args = args[0], args[1:]
		}
	}
	switch cmd {
	case "rules":
		return runRules(args, stdout, stderr)
	case "diffcheck":
		return runDiffcheck(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "protolift", version())
		return exitOK
	case "help":
		fmt.Fprint(stdout, usageText)
		newFlags("", io.Discard).fs.PrintDefaults()
		return exitOK
	}
	return runStages(cmd, args, stdout, stderr)
}
