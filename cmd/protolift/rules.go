package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/protolift/protolift/rewrite/rules"
)

// runRules implements `protolift rules`: every rule with its risk and doc.
func runRules(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "protolift rules: takes no arguments")
		return exitError
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tRISK\tDESCRIPTION")
	for _, r := range rules.All() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, r.Risk, r.Doc)
	}
	w.Flush()
	return exitOK
}
