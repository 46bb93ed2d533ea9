package gomod

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"

	"github.com/protolift/protolift/internal/change"
)

// fakeReleases replaces the release index with a fixed one for the test,
// so picking versions needs no network.
func fakeReleases(t *testing.T, mods map[string][][2]string) {
	t.Helper()
	ix := &index{loaded: true, versions: map[string][]string{}, goDir: map[string]string{}}
	for path, rels := range mods {
		for _, r := range rels {
			ix.versions[path] = append(ix.versions[path], r[0])
			ix.goDir[path+"@"+r[0]] = r[1]
		}
	}
	old := releases
	releases = ix
	t.Cleanup(func() { releases = old })
}

var grpcReleases = [][2]string{
	{"v1.27.0", "1.11"}, {"v1.40.0", "1.11"}, {"v1.48.0", "1.14"}, {"v1.56.3", "1.17"},
	{"v1.63.0", "1.19"}, {"v1.64.0", "1.19"}, {"v1.64.1", "1.19"}, {"v1.65.0", "1.21"},
	{"v1.68.0", "1.22.7"}, {"v1.79.3", "1.24.0"}, {"v1.82.1", "1.25.0"},
}

func TestPick(t *testing.T) {
	fakeReleases(t, map[string][][2]string{grpcModule: grpcReleases})
	ctx := context.Background()
	for _, tc := range []struct {
		need, limit string
		latest      bool
		want        string
		unmetGo     string
	}{
		// GO-2024-2978 affects v1.64.0 only: the lowest release without it.
		{"v1.64.0", "1.21", false, "v1.64.1", ""},
		{"v1.64.0", "1.21", true, "v1.65.0", ""},
		// 1.22.7 is above 1.22: the go command would raise the directive.
		{"v1.64.0", "1.22", true, "v1.65.0", ""},
		// With go 1.25 allowed, a release without any known advisory.
		{"v1.64.0", "1.25", false, "v1.82.1", ""},
		{"v1.32.0", "1.12", false, "v1.40.0", ""},
		{"v1.63.0", "1.12", false, "", "1.19"},
	} {
		c, err := releases.pick(ctx, grpcModule, tc.need, tc.limit, tc.latest)
		if err != nil {
			t.Fatal(err)
		}
		if c.version != tc.want || (c.unmet == nil) != (tc.unmetGo == "") {
			t.Errorf("pick(%s, go %s, latest=%v) = %q, unmet %+v; want %q", tc.need, tc.limit, tc.latest, c.version, c.unmet, tc.want)
			continue
		}
		if c.unmet != nil && (c.unmet.Go != tc.unmetGo || c.unmet.Max != "v1.40.0") {
			t.Errorf("pick(%s, go %s): unmet %+v, want go %s and newest fitting v1.40.0", tc.need, tc.limit, *c.unmet, tc.unmetGo)
		}
	}
}

// A go 1.12 module keeps its go directive: the generators picked are the
// newest whose go directives fit, and NewClient's grpc-go is reported as
// a requirement that cannot be met.
func TestPlanGeneratorsAndCheckRequires(t *testing.T) {
	fakeReleases(t, map[string][][2]string{
		grpcModule:                   grpcReleases,
		"google.golang.org/protobuf": {{"v1.25.0", "1.9"}, {"v1.31.0", "1.11"}, {"v1.33.0", "1.17"}, {"v1.36.5", "1.21"}, {"v1.36.6", "1.22"}, {"v1.36.12", "1.23"}},
		grpcGenModule:                {{"v1.2.0", "1.9"}, {"v1.3.0", "1.17"}, {"v1.5.0", "1.21"}, {"v1.5.1", "1.21"}, {"v1.6.2", "1.25.0"}},
	})
	ctx := context.Background()
	for limit, want := range map[string]Generators{
		"1.12": {Go: "v1.31.0", GRPC: "v1.2.0"},
		"1.21": {Go: "v1.36.5", GRPC: "v1.5.1"},
		"1.26": {Go: "v1.36.12", GRPC: "v1.6.2"},
	} {
		g, err := PlanGenerators(ctx, limit, "v1.36.12", "v1.6.2")
		if err != nil || g != want {
			t.Errorf("PlanGenerators(go %s) = %+v, %v; want %+v", limit, g, err, want)
		}
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.12\n\nrequire google.golang.org/grpc v1.27.0\n"), 0o644)
	req := map[string]string{grpcModule: "v1.63.0", "google.golang.org/protobuf": "v1.25.0"}
	unmet, err := CheckRequires(ctx, Options{ModuleDir: dir, Requires: req})
	if err != nil {
		t.Fatal(err)
	}
	if len(unmet) != 1 || unmet[0].Path != grpcModule || unmet[0].Go != "1.19" || unmet[0].Limit != "1.12" {
		t.Errorf("CheckRequires = %+v; want grpc v1.63.0 unmet (needs go 1.19, go 1.12 allowed)", unmet)
	}
	if unmet, _ := CheckRequires(ctx, Options{ModuleDir: dir, Requires: req, GoLimit: "1.19"}); len(unmet) != 0 {
		t.Errorf("with -go=1.19: unmet %+v", unmet)
	}
}

func TestBehaviourChanges(t *testing.T) {
	old, _ := modfile.Parse("go.mod", []byte("module m\n\ngo 1.21\n\nrequire google.golang.org/grpc v1.56.3\n"), nil)
	new, _ := modfile.Parse("go.mod", []byte("module m\n\ngo 1.21\n\nrequire google.golang.org/grpc v1.67.1\n"), nil)
	ds := behaviourChanges("go.mod", old, new)
	var got []string
	for _, d := range ds {
		if d.Start.Line != 5 || d.Risk != change.Review {
			t.Errorf("%+v: want a review note at the require line", d)
		}
		got = append(got, d.Message)
	}
	joined := strings.Join(got, "\n")
	if len(ds) != 2 || !strings.Contains(joined, "since v1.59, channels enter IDLE") || !strings.Contains(joined, "since v1.67, client TLS requires") {
		t.Errorf("behaviour notes:\n%s", joined)
	}
	if ds := behaviourChanges("go.mod", new, new); len(ds) != 0 {
		t.Errorf("no change, yet %v", ds)
	}
}

// A raise of golang/protobuf across v1.4.0 (what a migration does as soon
// as anything needs APIv2) changes the code left on golang/protobuf too:
// messages compared with reflect.DeepEqual, copied, or errors compared by
// text (grpc-gateway's tests); it is announced at the requirement.
func TestBehaviourChangesGolangProtobuf(t *testing.T) {
	old, _ := modfile.Parse("go.mod", []byte("module m\n\ngo 1.21\n\nrequire (\n\tgithub.com/golang/protobuf v1.3.3\n\tgoogle.golang.org/grpc v1.29.1\n)\n"), nil)
	new, _ := modfile.Parse("go.mod", []byte("module m\n\ngo 1.21\n\nrequire (\n\tgithub.com/golang/protobuf v1.5.0\n\tgoogle.golang.org/grpc v1.34.0\n)\n"), nil)
	ds := behaviourChanges("go.mod", old, new)
	if len(ds) != 1 || ds[0].Start.Line != 6 || !strings.Contains(ds[0].Message, "github.com/golang/protobuf v1.3.3 → v1.5.0 changes behaviour: since v1.4, golang/protobuf is implemented on google.golang.org/protobuf: every message holds internal state, so reflect.DeepEqual") {
		t.Errorf("want one note at the golang/protobuf requirement: %+v", ds)
	}
	v14, _ := modfile.Parse("go.mod", []byte("module m\n\ngo 1.21\n\nrequire github.com/golang/protobuf v1.4.3\n"), nil)
	if ds := behaviourChanges("go.mod", v14, new); len(ds) != 0 {
		t.Errorf("v1.4.3 → v1.5.0 crosses nothing, yet %v", ds)
	}
}

// TestTidyDependencyTestImport: a go 1.12 module requires a module whose
// tests import google.golang.org/grpc/naming, which grpc-go removed
// after v1.27. Raising grpc makes go mod tidy fail on that test-only
// import; the dependency (a local replace, so no other release can be
// tried) is reported and go.mod/go.sum still build the module.
func TestTidyDependencyTestImport(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads grpc-go releases")
	}
	dir := t.TempDir()
	copyDir(t, filepath.Join("testdata", "testimport"), dir)
	set, err := Run(context.Background(), Options{ModuleDir: dir, Requires: map[string]string{grpcModule: "v1.32.0"}, Tidy: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var notes []string
	for _, d := range set.Diags {
		if d.Rule == TidyRule {
			notes = append(notes, d.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "example.com/fakedep") || !strings.Contains(notes[0], "google.golang.org/grpc/naming") {
		t.Errorf("want one tidy note naming the dependency and the package, got %q", notes)
	}
	applySet(t, set)
	data, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(data), "google.golang.org/grpc v1.32.0") || !strings.Contains(string(data), "go 1.12") {
		t.Errorf("go.mod:\n%s", data)
	}
	gocmdT(t, dir, "build", "./...")
	gocmdT(t, dir, "vet", ".")
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func applySet(t *testing.T, set *change.Set) {
	t.Helper()
	for _, f := range set.Files {
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTidyRaisesDependency: the same failure with a dependency served by
// a module proxy (a file:// proxy made here) that has a newer release
// whose tests no longer import the removed package: the dependency is
// raised to that release and go mod tidy succeeds.
func TestTidyRaisesDependency(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads grpc-go releases")
	}
	proxy := t.TempDir()
	const dep = "example.com/oldtests"
	for _, v := range []struct{ version, test string }{
		{"v1.0.0", "package oldtests\n\nimport (\n\t\"testing\"\n\n\t\"google.golang.org/grpc/naming\"\n)\n\nfunc TestResolver(t *testing.T) { var _ naming.Resolver }\n"},
		{"v1.1.0", "package oldtests\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n"},
	} {
		publish(t, proxy, dep, v.version, map[string]string{
			"go.mod":           "module " + dep + "\n\ngo 1.12\n\nrequire google.golang.org/grpc v1.27.0\n",
			"oldtests.go":      "package oldtests\n\nconst Name = \"oldtests\"\n",
			"oldtests_test.go": v.test,
		})
	}
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(proxy)+",https://proxy.golang.org")
	t.Setenv("GONOSUMDB", dep)
	t.Setenv("GOFLAGS", "")
	old := releases
	releases = &index{cacheFile: filepath.Join(t.TempDir(), "godirectives.json")}
	t.Cleanup(func() { releases = old })

	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/lib\n\ngo 1.12\n\nrequire (\n\t"+dep+" v1.0.0\n\tgoogle.golang.org/grpc v1.27.0\n)\n")
	write("lib.go", "package lib\n\nimport (\n\t\""+dep+"\"\n\t\"google.golang.org/grpc\"\n)\n\nvar _ = grpc.Dial\nvar _ = oldtests.Name\n")
	gocmdT(t, dir, "mod", "tidy")

	set, err := Run(context.Background(), Options{ModuleDir: dir, Requires: map[string]string{grpcModule: "v1.32.0"}, Tidy: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var notes []string
	for _, d := range set.Diags {
		if d.Rule == TidyRule {
			notes = append(notes, d.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], dep+" v1.0.0 → v1.1.0") {
		t.Errorf("want one note on raising %s to v1.1.0, got %q", dep, notes)
	}
	applySet(t, set)
	data, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(data), dep+" v1.1.0") || !strings.Contains(string(data), "go 1.12") {
		t.Errorf("go.mod:\n%s", data)
	}
	gocmdT(t, dir, "mod", "tidy")
	gocmdT(t, dir, "build", "./...")
}

// publish writes one module version into a file:// proxy directory.
func publish(t *testing.T, proxy, path, version string, files map[string]string) {
	t.Helper()
	src := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := modzip.CreateFromDir(zf, module.Version{Path: path, Version: version}, src); err != nil {
		t.Fatal(err)
	}
	zf.Close()
	os.WriteFile(filepath.Join(dir, version+".mod"), []byte(files["go.mod"]), 0o644)
	os.WriteFile(filepath.Join(dir, version+".info"), []byte(`{"Version":"`+version+`","Time":"2020-01-01T00:00:00Z"}`), 0o644)
	list, _ := os.ReadFile(filepath.Join(dir, "list"))
	os.WriteFile(filepath.Join(dir, "list"), append(list, version+"\n"...), 0o644)
}

func TestGoFits(t *testing.T) {
	for _, tc := range []struct {
		dep, limit string
		want       bool
	}{
		{"1.11", "1.12", true}, {"1.19", "1.12", false}, {"1.21.0", "1.21", true}, {"1.21", "1.21.0", true},
		{"1.22.7", "1.22", false}, {"1.22.7", "1.22.7", true}, {"", "1.12", true}, {"1.25.0", "1.26.8", true},
	} {
		if got := goFits(tc.dep, tc.limit); got != tc.want {
			t.Errorf("goFits(%q, %q) = %v, want %v", tc.dep, tc.limit, got, tc.want)
		}
	}
}

func TestTestOnlyFailure(t *testing.T) {
	msg := "go: finding module for package google.golang.org/grpc/naming\n" +
		"go: example.com/lib imports\n\texample.com/fakedep/sub tested by\n\texample.com/fakedep/sub.test imports\n" +
		"\tgoogle.golang.org/grpc/naming: module google.golang.org/grpc@latest found (v1.85.0), but does not contain package google.golang.org/grpc/naming\n"
	mf, _ := modfile.Parse("go.mod", []byte("module example.com/lib\n\ngo 1.12\n\nrequire (\n\texample.com/fakedep v1.0.0\n\texample.com/fake v1.0.0\n)\n"), nil)
	dep, missing := testOnlyFailure(msg, mf)
	if dep != "example.com/fakedep" || missing != "google.golang.org/grpc/naming" {
		t.Errorf("testOnlyFailure = %q, %q", dep, missing)
	}
	if dep, _ := testOnlyFailure("go: some other failure", mf); dep != "" {
		t.Errorf("unrelated failure blamed on %s", dep)
	}
}

// RaisedAcross decides which protov1.raise.behaviour sites hold: by the
// module and release each names, with google.golang.org/protobuf's
// version implied by golang/protobuf's where go.mod does not name it.
func TestRaisedAcross(t *testing.T) {
	mod := func(req string) []byte { return []byte("module m\n\ngo 1.21\n\n" + req) }
	v13 := mod("require github.com/golang/protobuf v1.3.3\n")
	for _, c := range []struct {
		name          string
		old, new      []byte
		module, since string
		want          bool
	}{
		{"v1 raised across v1.4", v13, mod("require github.com/golang/protobuf v1.5.4\n"), golangProtobuf, "v1.4.0", true},
		{"v2 implied by v1.5.4", v13, mod("require github.com/golang/protobuf v1.5.4\n"), protobufModule, "v1.26.0", true},
		{"v2 implied by v1.4.3 is v1.23", v13, mod("require github.com/golang/protobuf v1.4.3\n"), protobufModule, "v1.25.0", false},
		{"v2 named", v13, mod("require (\n\tgithub.com/golang/protobuf v1.4.3\n\tgoogle.golang.org/protobuf v1.25.0\n)\n"), protobufModule, "v1.25.0", true},
		{"v1 dropped for v2", v13, mod("require google.golang.org/protobuf v1.33.0\n"), golangProtobuf, "v1.4.0", true},
		{"go.mod unchanged", v13, nil, golangProtobuf, "v1.4.0", false},
		{"already above", mod("require github.com/golang/protobuf v1.4.0\n"), mod("require github.com/golang/protobuf v1.5.4\n"), golangProtobuf, "v1.4.0", false},
		{"raise withdrawn", v13, mod("require (\n\tgithub.com/golang/protobuf v1.3.3\n\tgoogle.golang.org/grpc v1.60.0\n)\n"), golangProtobuf, "v1.4.0", false},
		{"v1 not required before", mod(""), mod("require github.com/golang/protobuf v1.5.4\n"), golangProtobuf, "v1.4.0", false},
	} {
		if got := RaisedAcross(c.old, c.new, c.module, c.since); got != c.want {
			t.Errorf("%s: RaisedAcross(%s, %s) = %v, want %v", c.name, c.module, c.since, got, c.want)
		}
	}
}
