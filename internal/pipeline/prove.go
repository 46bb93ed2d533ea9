package pipeline

import (
	"context"
	"fmt"
	"os"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/protows"
	"github.com/protolift/protolift/stage/editions"
)

// proveStage is `protolift proto -prove=REV`: the equivalence proof of
// the Editions conversion as a check, for files converted by hand or in an
// earlier run. Every .proto file that differs from its version at git
// revision rev is compiled both ways and must keep each field's resolved
// features and produce the same protoc-gen-go output; differences are
// findings. Nothing is rewritten.
func (p *pipeline) proveStage(ctx context.Context) error {
	rev, err := protows.AtRevision(ctx, p.module.Dir, p.opts.Prove)
	if err != nil {
		return fmt.Errorf("-prove=%s: %v", p.opts.Prove, err)
	}
	// The files and roots of the conversion (the proto stage's): one
	// workspace, one file set.
	var args []string
	for _, a := range p.patterns {
		if a != "./..." {
			args = append(args, protows.Abs(p.base, a))
		}
	}
	ws, err := protows.Open(p.module.Dir, p.module.Path, nil, nil)
	if err != nil {
		return err
	}
	files, err := ws.Sources(args)
	if err != nil {
		return err
	}
	proven := 0
	for _, f := range files {
		now, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		then, ok, err := rev.Read(ctx, f)
		if err != nil {
			return err
		}
		if !ok || string(then) == string(now) {
			continue // new since rev, or unchanged: nothing to prove
		}
		diags, err := editions.Prove(ctx, editions.ProveInput{Path: f, Before: then, After: now, Workspace: ws})
		if err != nil {
			p.set.Report(change.Diagnostic{Path: f, Start: change.Position{Line: 1, Col: 1}, Rule: editions.Rule, Risk: change.Manual,
				Message: fmt.Sprintf("cannot prove the change since %s equivalent: %v", p.opts.Prove, err)})
			continue
		}
		p.set.Report(diags...)
		proven++
	}
	if proven == 0 && len(p.set.Diags) == 0 {
		fmt.Fprintf(p.stderr, "protolift proto -prove=%s: no .proto file changed since %s\n", p.opts.Prove, p.opts.Prove)
	}
	return nil
}
