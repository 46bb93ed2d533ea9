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
// seeing the previous stages' output; a stage takes only its own flags
// (protolift STAGE -h). Like gofmt, the default is to print a unified
// diff and write nothing; -l lists the files that would change and -w
// writes them (-w -json also reports them as JSON; other output flags
// exclude each other). Exit status: 0 success (including nothing to do),
// 1 when findings that need a person remain, 2 on usage or processing
// errors. protolift help prints the stages, exit codes and examples.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

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
		fs := flag.NewFlagSet("protolift version", flag.ContinueOnError)
		if code, done := parseCommand(fs, func(w io.Writer) { fmt.Fprintln(w, "usage: protolift version") }, args, stdout, stderr); done {
			return code
		}
		if fs.NArg() > 0 {
			return usageFailure(stderr, "version", errors.New("takes no arguments"))
		}
		fmt.Fprintln(stdout, "protolift", version())
		return exitOK
	case "help":
		return runHelp(args, stdout, stderr)
	}
	return runStages(cmd, args, stdout, stderr)
}

// runHelp implements `protolift help [command]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		return usageFailure(stderr, "help", errors.New("takes at most one command"))
	}
	topic := ""
	if len(args) == 1 {
		topic = args[0]
	}
	switch topic {
	case "", "proto", "gen", "go", "mod":
		printStageUsage(stdout, topic)
	case "rules":
		rulesUsage(stdout)
	case "diffcheck":
		return runDiffcheck([]string{"-h"}, stdout, stderr)
	default:
		return usageFailure(stderr, "help", fmt.Errorf("unknown command %q", topic))
	}
	return exitOK
}
