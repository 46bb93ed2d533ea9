package protoplugin

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

// TestComparisonThatDidNotRun: with fail_on=never a comparison that
// cannot run is reported, not turned into a generation failure; with
// fail_on=breaking or used it fails generation (a gate that could not look
// does not pass), and the error says why.
func TestComparisonThatDidNotRun(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", "testdata", "protos"))
	req := compile(t, root, nil, "inventory/v1/inventory.proto").CodeGeneratorRequest
	for _, failOn := range []string{"breaking", "used"} {
		req.Parameter = proto.String("old=/nonexistent/protoc-gen-old,fail_on=" + failOn + ",module_dir=" + t.TempDir())
		resp := Generate(context.Background(), req)
		want := "protolift: fail_on=" + failOn + ", but the API comparison did not run: "
		if !strings.HasPrefix(resp.GetError(), want) || !strings.Contains(resp.GetError(), "/nonexistent/protoc-gen-old") {
			t.Errorf("fail_on=%s: error %q, want it to start %q and name the generator", failOn, resp.GetError(), want)
		}
	}
	req.Parameter = proto.String("old=/nonexistent/protoc-gen-old,fail_on=never,module_dir=" + t.TempDir())
	resp := Generate(context.Background(), req)
	if resp.Error != nil {
		t.Fatalf("fail_on=never: generation failed: %s", resp.GetError())
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
