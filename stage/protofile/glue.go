package protofile

import (
	"bytes"
	"context"
	"fmt"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/stage/editions"
)

// convertAll converts every proto2/proto3 file to opts.Edition. Imports
// are read from the fixed contents of this run, so a file whose import
// only compiles after its reserved statements were repaired still converts.
func (st *stage) convertAll(ctx context.Context) error {
	overlay := map[string][]byte{}
	for p, b := range st.opts.Overlay {
		overlay[p] = b
	}
	for _, r := range st.done {
		overlay[r.path] = r.out
	}
	ws := st.ws.WithOverlay(overlay)
	conv := editions.Options{Workspace: ws}
	for _, r := range st.done {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.syntax == "editions" || hasManual(r.diags) {
			continue
		}
		out, diags, err := conv.Convert(r.path, r.out, st.opts.Edition)
		for _, d := range diags {
			r.diags = append(r.diags, r.mapDiag(d))
		}
		if err != nil {
			r.diags = append(r.diags, change.Diagnostic{Path: r.path, Start: change.PositionAt(r.src, 0), End: change.PositionAt(r.src, 0),
				Rule: RuleEditions, Risk: change.Manual, Message: "not converted: " + err.Error(),
				Suggestion: "fix the reported problem (or pass the import paths it needs) and run again"})
			continue
		}
		if bytes.Equal(out, r.out) || hasManual(diags) {
			continue
		}
		// The conversion is kept only when it is proven: same resolved
		// field features and the same protoc-gen-go output.
		proof, err := editions.Prove(ctx, editions.ProveInput{Path: r.path, Before: r.out, After: out, Workspace: ws})
		if err != nil {
			r.diags = append(r.diags, change.Diagnostic{Path: r.path, Start: change.PositionAt(r.src, 0), End: change.PositionAt(r.src, 0),
				Rule: RuleEditions, Risk: change.Manual, Message: "not converted: the equivalence proof could not run: " + err.Error(),
				Suggestion: "fix the reported problem and run again"})
			continue
		}
		if len(proof) > 0 {
			for _, d := range proof {
				d.Message = fmt.Sprintf("not converted: %s (at %d:%d of the converted text)", d.Message, d.Start.Line, d.Start.Col)
				d.Path = r.path
				d.Start, d.End = change.PositionAt(r.src, 0), change.PositionAt(r.src, 0)
				r.diags = append(r.diags, d)
			}
			continue
		}
		// One edit spans the converted region, in the original file's
		// coordinates (the converter's own edits are many small splices).
		pre := 0
		for pre < len(out) && pre < len(r.out) && out[pre] == r.out[pre] {
			pre++
		}
		suf := 0
		for suf < len(out)-pre && suf < len(r.out)-pre && out[len(out)-1-suf] == r.out[len(r.out)-1-suf] {
			suf++
		}
		start, end := r.om.back(pre), r.om.back(len(r.out)-suf)
		r.edits = append(r.edits, change.Edit{Rule: RuleEditions, Risk: change.Review,
			Message: "converted to edition " + st.opts.Edition + "; proven equivalent (resolved field features and protoc-gen-go output)",
			Start:   change.PositionAt(r.src, start), End: change.PositionAt(r.src, max(start, end))})
		r.out = out
	}
	return nil
}

// mapDiag moves a diagnostic found in the fixed text to the original.
func (r *fileResult) mapDiag(d change.Diagnostic) change.Diagnostic {
	d.Path = r.path
	s, e := r.om.back(d.Start.Offset), r.om.back(d.End.Offset)
	d.Start, d.End = change.PositionAt(r.src, s), change.PositionAt(r.src, max(s, e))
	return d
}

func hasManual(ds []change.Diagnostic) bool {
	for _, d := range ds {
		if d.Risk == change.Manual {
			return true
		}
	}
	return false
}
