package protoplugin

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

// TestReportDoesNotFailGeneration: a comparison that cannot run is
// reported, not turned into a generation failure.
func TestReportDoesNotFailGeneration(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", "testdata", "protos"))
	req := compile(t, root, nil, "inventory/v1/inventory.proto").CodeGeneratorRequest
	req.Parameter = proto.String("old=/nonexistent/protoc-gen-old,fail_on=breaking,module_dir=" + t.TempDir())
	resp := Generate(context.Background(), req)
	if resp.Error != nil {
		t.Fatalf("generation failed: %s", resp.GetError())
	}
	files := map[string]string{}
	for _, f := range resp.File {
		files[f.GetName()] = f.GetContent()
	}
	if len(files) != 2 || files[MarkdownName] == "" || files[JSONName] == "" {
		t.Fatalf("files %v, want both reports", len(files))
	}
	var rep Report
	if err := json.Unmarshal([]byte(files[JSONName]), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.APIError, "/nonexistent/protoc-gen-old") || rep.API != nil {
		t.Errorf("api_error = %q, api = %v", rep.APIError, rep.API)
	}
	if len(rep.Hazards) != 3 {
		t.Errorf("%d hazards, want 3", len(rep.Hazards))
	}
	if !strings.Contains(files[MarkdownName], "The comparison did not run: ") {
		t.Errorf("markdown does not say the comparison failed:\n%s", files[MarkdownName])
	}

	req.Parameter = proto.String("report=md,old=/nonexistent/protoc-gen-old")
	resp = Generate(context.Background(), req)
	if len(resp.File) != 1 || resp.File[0].GetName() != MarkdownName {
		t.Errorf("report=md wrote %d files", len(resp.File))
	}
	req.Parameter = proto.String("report=pdf")
	if resp = Generate(context.Background(), req); resp.Error == nil {
		t.Error("a bad parameter did not fail")
	}
}
