package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
)

func rulesUsage(w io.Writer) {
	fmt.Fprint(w, `usage: protolift rules

Lists every finding id with its risks and one-line doc: the Go rewrite
rules first, in run order, then the ids of the proto, gen and mod stages,
the plugin's hazards and protolift's own (protolift.*). Go rule names and
groups (the part before a dot) select rules with -rules, e.g.
-rules=protov1,-protov1.jsonpb. Risks: safe (keeps behaviour exactly),
review (keeps behaviour in every known case but touches something a
reviewer should see), manual (only reports); an id whose findings differ
lists each risk it can carry (safe/manual).
`)
}

// runRules implements `protolift rules`: every finding id with its risk
// and doc.
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
	for _, r := range ruleRows() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.id, r.risk, r.doc)
	}
	w.Flush()
	return exitOK
}
