package diffcheck

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
)

// writeProtoSet writes n .proto files, each with messages of every field
// shape, an enum, a oneof and a four-kind service, the later ones
// importing the earlier.
func writeProtoSet(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	var names []string
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "syntax = \"proto3\";\n\npackage bench.p%d;\n\n", i)
		b.WriteString("import \"google/protobuf/timestamp.proto\";\n")
		if i > 0 {
			fmt.Fprintf(&b, "import \"bench/p%d/f.proto\";\n", i-1)
		}
		fmt.Fprintf(&b, "\noption go_package = \"example.com/bench/p%d;p%d\";\n\n", i, i)
		fmt.Fprintf(&b, "enum State%d {\n  STATE%d_UNSPECIFIED = 0;\n  STATE%d_ON = 1;\n}\n\n", i, i, i)
		for m := range 4 {
			fmt.Fprintf(&b, "message M%d {\n  string id = 1;\n  int64 n = 2;\n  repeated string tags = 3;\n  map<string, int32> counts = 4;\n  google.protobuf.Timestamp at = 5;\n  State%d state = 6;\n", m, i)
			if i > 0 {
				fmt.Fprintf(&b, "  bench.p%d.M%d prev = 7;\n", i-1, m)
			}
			b.WriteString("  oneof kind {\n    string a = 8;\n    int32 b = 9;\n  }\n}\n\n")
		}
		fmt.Fprintf(&b, "service S%d {\n  rpc Unary(M0) returns (M1);\n  rpc Server(M0) returns (stream M1);\n  rpc Client(stream M2) returns (M3);\n  rpc Bidi(stream M2) returns (stream M3);\n}\n", i)
		name := fmt.Sprintf("bench/p%d/f.proto", i)
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// bufGenerate prepares a buf workspace generating the files with the
// current generators as local plugins, and returns the command to run.
func bufGenerate(tb testing.TB, dir string) func() error {
	tb.Helper()
	ctx := context.Background()
	buf, err := toolbin.Buf(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	goBin, err := toolbin.Build(ctx, toolbin.GoPkg, toolbin.GoVersion)
	if err != nil {
		tb.Fatal(err)
	}
	grpcBin, err := toolbin.Build(ctx, toolbin.GoGRPCPkg, toolbin.GoGRPCVersion)
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string]string{
		"buf.yaml":     "version: v2\n",
		"buf.gen.yaml": fmt.Sprintf("version: v2\nplugins:\n  - local: %s\n    out: out\n    strategy: all\n  - local: %s\n    out: out\n    strategy: all\n", goBin, grpcBin),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return func() error {
		cmd := exec.Command(buf, "generate")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+filepath.Join(dir, ".bufcache"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("buf generate: %v\n%s", err, out)
		}
		return nil
	}
}

// BenchmarkDiffcheck50 compares diffcheck (golang/protobuf v1.5.4 with
// plugins=grpc against the current generators) over 50 .proto files with
// one `buf generate` of the current generators on the same files, and
// reports the ratio of their mean times.
func BenchmarkDiffcheck50(b *testing.B) {
	dir := b.TempDir()
	names := writeProtoSet(b, dir, 50)
	gen := bufGenerate(b, dir)
	opts := Options{Paths: names, ImportPaths: []string{dir}, Old: []generate.Spec{legacy154}, New: generate.Current()}
	ctx := context.Background()
	// Warm both: the module cache, build cache and loaded runtime types
	// are per machine or per process, not per run.
	if err := gen(); err != nil {
		b.Fatal(err)
	}
	if _, err := Run(ctx, opts); err != nil {
		b.Fatal(err)
	}
	var bufTime, dcTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := gen(); err != nil {
			b.Fatal(err)
		}
		bufTime += time.Since(start)
		start = time.Now()
		if _, err := Run(ctx, opts); err != nil {
			b.Fatal(err)
		}
		dcTime += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(bufTime.Seconds()*1000/n, "buf-ms/op")
	b.ReportMetric(dcTime.Seconds()*1000/n, "diffcheck-ms/op")
	b.ReportMetric(float64(dcTime)/float64(bufTime), "ratio")
}

// TestBenchmarkSetGenerates keeps the benchmark's input honest: every
// generator variant accepts it.
func TestBenchmarkSetGenerates(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds the legacy generators and type-checks generated code")
	}
	dir := t.TempDir()
	names := writeProtoSet(t, dir, 3)
	rep, err := Run(context.Background(), Options{Paths: names, ImportPaths: []string{dir}, Old: []generate.Spec{legacy135}, New: generate.Current()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Packages) != 3 || rep.Breaking() == 0 {
		t.Errorf("packages %v, %d breaking", rep.Packages, rep.Breaking())
	}
}
