package gomod

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/protolift/protolift/internal/apply"
	"github.com/protolift/protolift/internal/change"
)

// TestRaisesRequirementsAndCompletesSum starts from a module on
// golang/protobuf v1.5.3 and an old grpc, applies rewritten sources that
// use APIv2 and grpc.NewClient, and checks that the module then builds
// with default flags (go.mod and go.sum consistent) and no longer needs
// golang/protobuf.
func TestRaisesRequirementsAndCompletesSum(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go get and go mod tidy on a temporary module")
	}
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/m\n\ngo 1.21\n\nrequire (\n\tgithub.com/golang/protobuf v1.5.3\n\tgoogle.golang.org/grpc v1.56.3\n)\n")
	write("a.go", "package m\n\nimport (\n\t\"github.com/golang/protobuf/ptypes\"\n\t\"google.golang.org/grpc\"\n)\n\nvar _ = ptypes.TimestampNow\nvar _ = grpc.Dial\n")
	gocmdT(t, dir, "mod", "tidy")

	rewritten := "package m\n\nimport (\n\t\"google.golang.org/grpc\"\n\t\"google.golang.org/grpc/credentials/insecure\"\n\t\"google.golang.org/protobuf/types/known/timestamppb\"\n)\n\nvar _ = timestamppb.Now\nvar _ = grpc.NewClient\nvar _ = insecure.NewCredentials\n"
	set, err := Run(context.Background(), Options{
		ModuleDir: dir,
		Requires:  map[string]string{"google.golang.org/protobuf": "v1.33.0", "google.golang.org/grpc": "v1.63.0"},
		Overlay:   map[string][]byte{filepath.Join(dir, "a.go"): []byte(rewritten)},
		Tidy:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var gomod []byte
	for _, f := range set.Files {
		if filepath.Base(f.Path) == "go.mod" {
			gomod = f.New
		}
	}
	mf, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range mf.Require {
		got[r.Mod.Path] = r.Mod.Version
	}
	if got["google.golang.org/grpc"] != "v1.63.0" || got["google.golang.org/protobuf"] == "" {
		t.Errorf("requirements not raised to the minimum needed: %v", got)
	}
	if _, ok := got["github.com/golang/protobuf"]; ok {
		t.Errorf("golang/protobuf still required although nothing imports it:\n%s", gomod)
	}
	if mf.Go.Version != "1.21" {
		t.Errorf("go directive changed to %s; the minimum versions fit go 1.21", mf.Go.Version)
	}
	// The advisories of grpc v1.63.0 are reported at its require line.
	var ids []string
	for _, d := range set.Diags {
		ids = append(ids, d.Message)
	}
	if joined := strings.Join(ids, "\n"); !strings.Contains(joined, "GO-2026-4762") || !strings.Contains(joined, "GO-2026-6061") {
		t.Errorf("advisories missing: %s", joined)
	}

	// Apply and build with default flags.
	write("a.go", rewritten)
	for _, f := range set.Files {
		f.Old, _ = os.ReadFile(f.Path)
	}
	if err := apply.Write(dir, set); err != nil {
		t.Fatal(err)
	}
	gocmdT(t, dir, "build", "./...")
	gocmdT(t, dir, "mod", "verify")
}

func gocmdT(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestAdvisories(t *testing.T) {
	src := []byte("module m\n\ngo 1.22\n\nrequire (\n\tgoogle.golang.org/grpc v1.64.0\n\tgoogle.golang.org/protobuf v1.32.0\n\tgolang.org/x/net v0.16.0\n)\n")
	f, err := modfile.Parse("go.mod", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range Advisories("go.mod", src, f) {
		got = append(got, d.Message[:strings.Index(d.Message, " (")])
		if d.Start.Line < 6 {
			t.Errorf("advisory at line %d, want the require line", d.Start.Line)
		}
	}
	want := []string{
		"google.golang.org/grpc v1.64.0 is affected by GO-2024-2978",
		"google.golang.org/grpc v1.64.0 is affected by GO-2026-4762",
		"google.golang.org/grpc v1.64.0 is affected by GO-2026-6061",
		"google.golang.org/protobuf v1.32.0 is affected by GO-2024-2611",
		"golang.org/x/net v0.16.0 is affected by GO-2023-2102",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A module that keeps an import of golang/protobuf (old generated code
// the go stage does not edit) gets golang/protobuf v1.5.4 when protobuf
// moves up, because older releases no longer build against it, and a
// finding that names the importing file.
func TestKeptGolangProtobuf(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go get and go mod tidy on a temporary module")
	}
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/m\n\ngo 1.21\n\nrequire github.com/golang/protobuf v1.5.3\n")
	write("old.go", "package m\n\nimport _ \"github.com/golang/protobuf/protoc-gen-go/descriptor\"\n")
	write("new.go", "package m\n\nimport _ \"github.com/golang/protobuf/ptypes\"\n")
	gocmdT(t, dir, "mod", "tidy")

	set, err := Run(context.Background(), Options{
		ModuleDir: dir,
		Requires:  map[string]string{"google.golang.org/protobuf": "v1.36.12"},
		Overlay:   map[string][]byte{filepath.Join(dir, "new.go"): []byte("package m\n\nimport _ \"google.golang.org/protobuf/types/known/timestamppb\"\n")},
		Tidy:      true,
		// protobuf v1.36.12 needs go 1.23: allowed here (-go=1.23).
		GoLimit: "1.23",
	})
	if err != nil {
		t.Fatal(err)
	}
	var gomod []byte
	for _, f := range set.Files {
		if filepath.Base(f.Path) == "go.mod" {
			gomod = f.New
		}
	}
	if !strings.Contains(string(gomod), "github.com/golang/protobuf v1.5.4") {
		t.Errorf("golang/protobuf not raised to v1.5.4:\n%s", gomod)
	}
	var kept []string
	for _, d := range set.Diags {
		if d.Rule == KeptRule {
			kept = append(kept, d.Message)
		}
	}
	if len(kept) != 1 || !strings.Contains(kept[0], "old.go:3") || strings.Contains(kept[0], "new.go") {
		t.Errorf("kept findings = %q, want one naming old.go:3 only", kept)
	}
	// protobuf v1.36.12 needs go 1.23: the raised directive is reported.
	raised := false
	for _, d := range set.Diags {
		raised = raised || (d.Rule == GoDirectiveRule && strings.Contains(d.Message, "from 1.21 to 1.23") && d.Start.Line == 3)
	}
	if !raised {
		t.Errorf("no %s finding for the raised go directive in %v", GoDirectiveRule, set.Diags)
	}
	write("new.go", "package m\n\nimport _ \"google.golang.org/protobuf/types/known/timestamppb\"\n")
	for _, f := range set.Files {
		f.Old, _ = os.ReadFile(f.Path)
	}
	if err := apply.Write(dir, set); err != nil {
		t.Fatal(err)
	}
	gocmdT(t, dir, "build", "./...")
}

// TestRequireKeepsBuildableUnprunedModule is grpc-web's real-world
// failure: in a go 1.16 module (no graph pruning) `go get` raised grpc
// and pulled github.com/cespare/xxhash v1.1.0 into the build list, whose
// directory v2 could hold github.com/cespare/xxhash/v2; the go command
// then needs that module's zip checksum to rule it out, go get did not
// record it, and `go build` failed with "missing go.sum entry needed to
// verify package ... is provided by exactly one module".
func TestRequireKeepsBuildableUnprunedModule(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go get and go mod tidy on a temporary module")
	}
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/m\n\ngo 1.16\n\nrequire (\n\tgithub.com/prometheus/client_golang v1.12.1\n\tgoogle.golang.org/grpc v1.32.0\n)\n")
	write("a.go", "package m\n\nimport (\n\t\"github.com/prometheus/client_golang/prometheus\"\n\t\"google.golang.org/grpc\"\n)\n\nvar _ = prometheus.NewRegistry\nvar _ = grpc.Dial\n")
	gocmdT(t, dir, "mod", "tidy")
	gocmdT(t, dir, "build", "./...")

	rewritten := "package m\n\nimport (\n\t\"github.com/prometheus/client_golang/prometheus\"\n\t\"google.golang.org/grpc\"\n)\n\nvar _ = prometheus.NewRegistry\nvar _ = grpc.NewClient\n"
	set, err := Run(context.Background(), Options{
		ModuleDir: dir,
		Requires:  map[string]string{"google.golang.org/grpc": "v1.63.0"},
		Overlay:   map[string][]byte{filepath.Join(dir, "a.go"): []byte(rewritten)},
		GoLimit:   "1.19",
	})
	if err != nil {
		t.Fatal(err)
	}
	write("a.go", rewritten)
	for _, f := range set.Files {
		f.Old, _ = os.ReadFile(f.Path)
	}
	if err := apply.Write(dir, set); err != nil {
		t.Fatal(err)
	}
	gocmdT(t, dir, "build", "./...")
}

// writer returns a function that writes files (paths relative to dir).
func writer(t *testing.T, dir string) func(name, content string) {
	return func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUnmetRequirementKeepsGoDirective: without -go, a requirement whose
// every release needs a newer go directive is left out and reported, and
// go.mod keeps its go line.
func TestUnmetRequirementKeepsGoDirective(t *testing.T) {
	fakeReleases(t, map[string][][2]string{grpcModule: grpcReleases})
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/m\n\ngo 1.16\n\nrequire google.golang.org/grpc v1.27.0\n")
	set, err := Run(context.Background(), Options{ModuleDir: dir, Requires: map[string]string{grpcModule: "v1.63.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Files) != 0 {
		t.Errorf("go.mod changed although nothing fits go 1.16: %v", set.Files)
	}
	var unmet []change.Diagnostic
	for _, d := range set.Diags {
		if d.Rule == UnmetRule {
			unmet = append(unmet, d)
		}
	}
	if len(unmet) != 1 || unmet[0].Start.Line != 5 || !strings.Contains(unmet[0].Message, "needs go 1.19") || !strings.Contains(unmet[0].Suggestion, "-go=1.19") {
		t.Errorf("unmet findings: %+v", unmet)
	}
}

// TestNoGoDirectiveStaysAbsent: a go.mod without a go directive is go
// 1.16 to the go command, and go mod tidy would add the running
// toolchain's version, raising the language version the module's files
// are compiled and vetted under (prometheus/common v0.6.0: vet's printf
// check then rejected a test's %q with a named integer, and its test
// package stopped building). The stage leaves the go line out.
func TestNoGoDirectiveStaysAbsent(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go get and go mod tidy on a temporary module")
	}
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/m\n")
	write("a.go", "package m\n")
	write("a_test.go", "package m\n\nimport \"testing\"\n\ntype P int\n\nfunc TestP(t *testing.T) {\n\tif false {\n\t\tt.Errorf(\"%q\", P(1))\n\t}\n}\n")
	gocmdT(t, dir, "vet", "./...")

	rewritten := "package m\n\nimport \"google.golang.org/protobuf/proto\"\n\nvar _ = proto.Marshal\n"
	set, err := Run(context.Background(), Options{
		ModuleDir: dir,
		Requires:  map[string]string{"google.golang.org/protobuf": "v1.20.0"},
		Overlay:   map[string][]byte{filepath.Join(dir, "a.go"): []byte(rewritten)},
		Tidy:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range set.Files {
		if filepath.Base(f.Path) != "go.mod" {
			continue
		}
		mf, err := modfile.Parse("go.mod", f.New, nil)
		if err != nil {
			t.Fatal(err)
		}
		if mf.Go != nil {
			t.Errorf("go directive %s added to a go.mod that had none:\n%s", mf.Go.Version, f.New)
		}
	}
	for _, d := range set.Diags {
		if d.Rule == GoDirectiveRule {
			t.Errorf("unexpected %s: %s", d.Rule, d.Message)
		}
	}
	write("a.go", rewritten)
	for _, f := range set.Files {
		f.Old, _ = os.ReadFile(f.Path)
	}
	if err := apply.Write(dir, set); err != nil {
		t.Fatal(err)
	}
	gocmdT(t, dir, "vet", "./...")
}

// TestMissingGoLineStaysGo116: a go.mod without a go line is go 1.16 to
// the go command, and the versions are picked for it; go get and go mod
// tidy would write their own release (go 1.26.8) into such a go.mod, and
// a second run then picked versions for that and changed go.mod again.
// The stage keeps the line out (the go commands work on a copy that says
// go 1.16), and a second run over its result changes nothing.
func TestMissingGoLineStaysGo116(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs go get and go mod tidy on a temporary module")
	}
	fakeReleases(t, map[string][][2]string{golangProtobuf: {{"v1.3.2", ""}, {"v1.3.5", ""}}})
	dir := t.TempDir()
	write := writer(t, dir)
	gocmdT(t, dir, "mod", "download", "github.com/golang/protobuf@v1.3.2", "github.com/golang/protobuf@v1.3.5")
	write("go.mod", "module example.com/m\n\nrequire github.com/golang/protobuf v1.3.2\n")
	write("a.go", "package m\n\nimport _ \"github.com/golang/protobuf/proto\"\n")
	write("go.sum", "github.com/golang/protobuf v1.3.2 h1:6nsPYzhq5kReh6QImI3k5qWzO4PEbvbIW2cwSfR/6xs=\ngithub.com/golang/protobuf v1.3.2/go.mod h1:6lQm79b+lXiMfvg/cZm0SGofjICqVBUtrP5yJMmIC1U=\n")
	opts := Options{ModuleDir: dir, Requires: map[string]string{golangProtobuf: "v1.3.5"}, Tidy: true}
	set, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var gomod []byte
	for _, f := range set.Files {
		f.Old, _ = os.ReadFile(f.Path)
		if filepath.Base(f.Path) == "go.mod" {
			gomod = f.New
		}
	}
	mf, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mf.Go != nil {
		t.Fatalf("go line added to a go.mod that had none:\n%s", gomod)
	}
	if err := apply.Write(dir, set); err != nil {
		t.Fatal(err)
	}
	again, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range again.Files {
		t.Errorf("second run changes %s:\n%s", f.Path, f.New)
	}
}
