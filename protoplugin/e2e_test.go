package protoplugin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protolift/protolift/diffcheck"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
)

const protosModule = "github.com/protolift/protolift/testdata/protos"

// serverGo is hand-written code of the user's module, written against
// the golang/protobuf v1.3.5 plugins=grpc output: it implements
// CatalogServiceServer without embedding, registers it, passes
// RegisterCatalogServiceServer around as a value, and calls an XXX_ method.
const serverGo = `package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	shopv1 "` + protosModule + `/gen/shop/v1"
)

type Catalog struct{}

func (Catalog) GetProduct(context.Context, *shopv1.GetProductRequest) (*shopv1.Product, error) {
	return &shopv1.Product{}, nil
}

func (Catalog) DeleteProduct(context.Context, *shopv1.GetProductRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (Catalog) ListProducts(*shopv1.ListProductsRequest, shopv1.CatalogService_ListProductsServer) error {
	return nil
}

func (Catalog) UploadPrices(shopv1.CatalogService_UploadPricesServer) error { return nil }

func (Catalog) SyncPrices(shopv1.CatalogService_SyncPricesServer) error { return nil }

func Register(s *grpc.Server) {
	shopv1.RegisterCatalogServiceServer(s, Catalog{})
}

var register func(*grpc.Server, shopv1.CatalogServiceServer) = shopv1.RegisterCatalogServiceServer

func Size(p *shopv1.Product) int { return p.XXX_Size() }
`

// userModule lays out a module as buf users have it: .proto files in a
// v1 workspace under proto/, golang/protobuf v1.3.5 plugins=grpc output
// under gen/, and code using it under server/.
func userModule(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := filepath.Join("..", "ruletest", "testdata", "mod")
	mod, err := os.ReadFile(filepath.Join(tmpl, "go.mod"))
	must(t, err)
	sum, err := os.ReadFile(filepath.Join(tmpl, "go.sum"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(strings.Replace(string(mod), "module example.com/cases", "module "+protosModule, 1)), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "buf.work.yaml"), []byte("version: v1\ndirectories:\n  - proto\n"), 0o644))
	copyInto(t, filepath.Join("..", "testdata", "protos"), filepath.Join(dir, "proto"))
	must(t, os.MkdirAll(filepath.Join(dir, "server"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "server", "server.go"), []byte(serverGo), 0o644))
	for _, pkg := range [][]string{
		{"shop/v1/catalog.proto", "shop/v1/catalog_service.proto"},
		{"inventory/v1/inventory.proto"},
	} {
		req, err := generate.Compile(ctx, generate.CompileOptions{ImportPaths: []string{filepath.Join(dir, "proto")}, Files: pkg})
		must(t, err)
		files, err := generate.Run(ctx, DefaultOld()[0], req)
		must(t, err)
		for _, f := range files {
			rel, ok := strings.CutPrefix(f.Name, protosModule+"/")
			if !ok {
				t.Fatalf("legacy generator wrote %s outside the module", f.Name)
			}
			p := filepath.Join(dir, filepath.FromSlash(rel))
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.WriteFile(p, f.Content, 0o644))
		}
	}
	return dir
}

// TestBufGenerate runs `buf generate` (pinned buf, as a CLI) with the
// built plugin over the testdata protos and reads the report it wrote.
func TestBufGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the plugin and runs buf generate")
	}
	ctx := context.Background()
	bufBin, err := toolbin.Buf(ctx)
	must(t, err)
	plugin := filepath.Join(t.TempDir(), "protoc-gen-protolift")
	build := exec.Command("go", "build", "-o", plugin, "../cmd/protoc-gen-protolift")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the plugin: %v\n%s", err, out)
	}
	dir := userModule(t)
	generate := func(opts ...string) (string, error) {
		t.Helper()
		tmpl := "version: v2\nplugins:\n  - local: " + plugin + "\n    out: report\n    strategy: all\n    opt:\n      - module_dir=" + dir + "\n"
		for _, o := range opts {
			tmpl += "      - " + o + "\n"
		}
		cmd := exec.CommandContext(ctx, bufBin, "generate", "--template", tmpl)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir(), "GOFLAGS=-mod=mod", "GOPROXY=off")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("buf generate with the plugin (%s): %v", strings.Join(opts, ","), time.Since(start).Round(time.Millisecond))
		return string(out), err
	}
	if out, err := generate(); err != nil {
		t.Fatalf("buf generate: %v\n%s", err, out)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report", MarkdownName))
	must(t, err)
	js, err := os.ReadFile(filepath.Join(dir, "report", JSONName))
	must(t, err)
	var rep Report
	must(t, json.Unmarshal(js, &rep))
	if rep.API == nil {
		t.Fatalf("no API comparison in the report: %s", rep.APIError)
	}
	if !rep.API.CrossReferenced {
		t.Error("uses were not looked up in the module")
	}
	find := func(name string) *diffcheck.Change {
		for i, c := range rep.API.Changes {
			if c.Name == name {
				return &rep.API.Changes[i]
			}
		}
		t.Errorf("report has no change for %s", name)
		return nil
	}
	used := func(c *diffcheck.Change) bool { return c != nil && len(c.Uses) > 0 }
	for _, tc := range []struct {
		name string
		used bool
	}{
		{"RegisterCatalogServiceServer", true},
		{"CatalogServiceServer.mustEmbedUnimplementedCatalogServiceServer", true},
		{"Product.XXX_Size", true},
		{"Price.XXX_Size", false},
		{"StockRecord.XXX_Unmarshal", false},
	} {
		c := find(tc.name)
		if c == nil {
			continue
		}
		if !c.Breaking {
			t.Errorf("%s: not classified breaking", tc.name)
		}
		if used(c) != tc.used {
			t.Errorf("%s: used = %v, want %v (uses %v)", tc.name, used(c), tc.used, c.Uses)
		}
	}
	for _, w := range []string{
		"changed func `RegisterCatalogServiceServer`",
		"added method `CatalogServiceServer.mustEmbedUnimplementedCatalogServiceServer`",
		"| breaking, used | removed method `Product.XXX_Size`",
		"| breaking, unused here | removed method `Price.XXX_Size`",
		"server/server.go:",
		"`inventory/v1/inventory.proto:23:3` | " + GroupRule,
	} {
		if !strings.Contains(string(md), w) {
			t.Errorf("markdown report lacks %q", w)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("report:\n%s", md)
	}

	// The plugin fails closed: fail_on=used fails buf generate, and since
	// buf then writes no files, the error itself lists the uses.
	must(t, os.RemoveAll(filepath.Join(dir, "report")))
	out, err := generate("fail_on=used")
	if err == nil {
		t.Fatalf("fail_on=used: buf generate succeeded:\n%s", out)
	}
	for _, w := range []string{
		"the module uses (fail_on=used):",
		"server/server.go:",
		"uses removed method Product.XXX_Size (" + protosModule + "/gen/shop/v1)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("fail_on=used: buf's output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "Price.XXX_Size") {
		t.Errorf("fail_on=used lists an unused change:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "report", MarkdownName)); err == nil {
		t.Log("buf wrote the report of a failing plugin")
	}

	// A comparison that cannot run fails a gate instead of passing it.
	out, err = generate("old=/nonexistent/protoc-gen-old", "fail_on=breaking")
	if err == nil || !strings.Contains(out, "fail_on=breaking, but the API comparison did not run") || !strings.Contains(out, "/nonexistent/protoc-gen-old") {
		t.Errorf("old generator that cannot run, fail_on=breaking: err %v\n%s", err, out)
	}
}

// TestFailOn: the failure text carries the summary (buf drops a failing
// plugin's files): the breaking changes this module uses, each at its
// file:line:col, then with fail_on=breaking the unused ones.
func TestFailOn(t *testing.T) {
	rep := &Report{API: &diffcheck.Report{CrossReferenced: true, Changes: []diffcheck.Change{
		{Package: "p", Kind: "method", Op: "removed", Name: "Price.XXX_Size", Breaking: true},
		{Package: "p", Kind: "method", Op: "removed", Name: "Product.XXX_Size", Breaking: true, Uses: []diffcheck.Use{{Pos: "server/server.go:7:9", Breaks: true}, {Pos: "server/x.go:1:2", Breaks: false}}},
		{Package: "p", Kind: "method", Op: "added", Name: "Product.ProtoReflect", Breaking: false},
	}}}
	const tail = "\n(the report files are not written when generation fails; fail_on=never writes them)"
	for failOn, want := range map[string]string{
		"never": "",
		"breaking": "protolift: 2 breaking API changes (fail_on=breaking):\n" +
			"  server/server.go:7:9: uses removed method Product.XXX_Size (p)\n" +
			"  removed method Price.XXX_Size (p)" + tail,
		"used": "protolift: 1 breaking API change the module uses (fail_on=used):\n" +
			"  server/server.go:7:9: uses removed method Product.XXX_Size (p)" + tail,
	} {
		if got := rep.failure(failOn); got != want {
			t.Errorf("fail_on=%s:\n%s\nwant\n%s", failOn, got, want)
		}
	}
	rep.API.Changes = rep.API.Changes[:1]
	if got := rep.failure("used"); got != "" {
		t.Errorf("fail_on=used with only unused breaking changes: %q", got)
	}
	if got := (&Report{}).failure("breaking"); got != "" {
		t.Errorf("nothing to compare must not fail generation: %q", got)
	}
	if got := (&Report{APIError: "boom"}).failure("used"); got != "protolift: fail_on=used, but the API comparison did not run: boom" {
		t.Errorf("comparison that did not run: %q", got)
	}
	if got := (&Report{APIError: "boom"}).failure("never"); got != "" {
		t.Errorf("fail_on=never: %q", got)
	}

	// The list is capped.
	rep.API.Changes = nil
	for i := range 2 * maxFailureLines {
		rep.API.Changes = append(rep.API.Changes, diffcheck.Change{Package: "p", Kind: "method", Op: "removed", Name: fmt.Sprintf("M%d.XXX_Size", i), Breaking: true})
	}
	got := rep.failure("breaking")
	if n := strings.Count(got, "\n  removed method"); n != maxFailureLines || !strings.Contains(got, fmt.Sprintf("\n  ... and %d more\n", maxFailureLines)) {
		t.Errorf("%d changes listed, want %d and a count of the rest:\n%s", n, maxFailureLines, got)
	}
}

func copyInto(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
