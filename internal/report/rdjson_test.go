package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
)

func TestRDJSONL(t *testing.T) {
	set := &change.Set{
		Files: []*change.File{{
			Path: "/m/a.go",
			Old:  []byte("package a\n\nvar x = grpc.Errorf(c, \"m\")\n"),
			New:  []byte("package a\n\nvar x = status.Errorf(c, \"m\")\n"),
			Edits: []change.Edit{{Rule: "grpc.errors", Risk: change.Safe, Message: "grpc.Errorf → status.Errorf",
				Start: change.Position{Line: 3, Col: 9}, End: change.Position{Line: 3, Col: 20}}},
		}},
		Diags: []change.Diagnostic{{Path: "/m/b.go", Start: change.Position{Line: 4, Col: 2}, Rule: "grpc.dial", Risk: change.Manual, Message: "options not visible"}},
	}
	var buf bytes.Buffer
	if err := RDJSONL(&buf, "/m", set); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	var first, second rdDiagnostic
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first.Location.Path != "a.go" || len(first.Suggestions) != 1 || first.Suggestions[0].Text != "var x = status.Errorf(c, \"m\")\n" ||
		first.Suggestions[0].Range.Start.Line != 3 || first.Suggestions[0].Range.End.Line != 4 || !strings.Contains(first.Message, "grpc.errors") {
		t.Errorf("suggestion diagnostic = %+v", first)
	}
	if second.Severity != "ERROR" || second.Code["value"] != "grpc.dial" || second.Location.Range.Start.Line != 4 {
		t.Errorf("finding = %+v", second)
	}
}
