package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/protolift/protolift/rewrite/rules"
)

func rulesUsage(w io.Writer) {
	fmt.Fprint(w, `usage: protolift rules

Lists every Go rewrite rule with its risk and one-line doc. Rule names and
groups (the part before a dot) select rules with -rules, e.g.
-rules=protov1,-protov1.jsonpb. Risks: safe (keeps behaviour exactly),
review (keeps behaviour in every known case but touches something a
reviewer should see), manual (only reports).
`)
}

// runRules implements `protolift rules`: every rule with its risk and doc.
func runRules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("protolift rules", flag.ContinueOnError)
	if code, done := parseCommand(fs, rulesUsage, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageFailure(stderr, "rules", errors.New("takes no arguments"))
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tRISK\tDESCRIPTION")
	for _, r := range rules.All() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, r.Risk, r.Doc)
	}
	w.Flush()
	return exitOK
}
