// Package regen is the gen stage: it finds the module's protoc-gen-go and
// protoc-gen-go-grpc output, compiles the .proto sources in process and
// regenerates that output with the pinned current generators, keeping the
// file paths and Go packages the module had. Services that golang/protobuf
// generated inline (plugins=grpc) move to x_grpc.pb.go.
package regen

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/internal/protows"
	"github.com/protolift/protolift/internal/toolbin"
	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// Rule names of the stage's edits and diagnostics.
const (
	RegenerateRule = "gen.regenerate"
	GRPCSplitRule  = "gen.grpc_split"
	SourceRule     = "gen.source_missing"
	ScriptRule     = "gen.script"
	CompileRule    = "gen.compile"
	GeneratorRule  = "gen.generator"
)

// Runtime floors of the regenerated code. protoc-gen-go-grpc v1.6.2 emits
// SupportPackageIsVersion9 (grpc-go v1.64.0 and later); protoc-gen-go's
// output is only promised to work with a runtime at least as new as the
// generator itself.
const (
	ProtobufModule = "google.golang.org/protobuf"
	GRPCModule     = "google.golang.org/grpc"
	ProtobufFloor  = toolbin.GoVersion
	GRPCFloor      = "v1.64.0"
)

// Options configure the stage.
type Options struct {
	// ModuleDir is a directory inside the module (go.mod is searched
	// upwards from it).
	ModuleDir string
	// Overlay holds files rewritten by earlier stages (absolute path →
	// content); they are read instead of the disk.
	Overlay map[string][]byte
	// AllowMissingUnimplemented passes require_unimplemented_servers=false
	// to protoc-gen-go-grpc. The default (false) keeps the generator's
	// default: server interfaces gain mustEmbedUnimplementedXServer.
	// Existing _grpc.pb.go files generated without that method keep
	// being generated without it either way.
	AllowMissingUnimplemented bool
	// GRPCPlugin is the protoc-gen-go-grpc binary; empty means the
	// version GRPCVersion names, built through toolbin.
	GRPCPlugin string
	// GoVersion is the google.golang.org/protobuf protoc-gen-go to run
	// (in process at toolbin.GoVersion, else built through toolbin), and
	// the runtime the regenerated code then requires; empty means
	// toolbin.GoVersion. The pipeline picks the newest release whose go
	// directive fits the module's, so regenerating never forces a raise.
	GoVersion string
	// GRPCVersion is the protoc-gen-go-grpc release to run; empty means
	// toolbin.GoGRPCVersion.
	GRPCVersion string
}

func (o Options) goVersion() string {
	if o.GoVersion != "" {
		return o.GoVersion
	}
	return toolbin.GoVersion
}

func (o Options) grpcVersion() string {
	if o.GRPCVersion != "" {
		return o.GRPCVersion
	}
	return toolbin.GoGRPCVersion
}

// GRPCRuntimeFloor is the lowest grpc-go the output of protoc-gen-go-grpc
// at version gen needs: its SupportPackageIsVersion constant (spec D.2:
// 7 → v1.32.0, 8 → v1.62.0, 9 → v1.64.0).
func GRPCRuntimeFloor(gen string) string {
	switch {
	case semver.Compare(gen, "v1.5.0") >= 0:
		return "v1.64.0"
	case semver.Compare(gen, "v1.4.0") >= 0:
		return "v1.62.0"
	default:
		return "v1.32.0"
	}
}

// Result is the stage's output.
type Result struct {
	change.Set
	// Requires maps module paths to the minimum versions the regenerated
	// code needs; feed it to the mod stage.
	Requires map[string]string `json:"requires,omitempty"`
	// Regenerated lists the Go import paths of regenerated packages.
	Regenerated []string `json:"regenerated,omitempty"`
}

// unit is one .proto source as generated into one directory.
type unit struct {
	dir    string
	source string
	goFile *genFile // protoc-gen-go output, nil if only gRPC output exists
	grpc   *genFile // protoc-gen-go-grpc output, nil if none
	root   protows.Root
}

// group is the units generated under one import root.
type group struct {
	root  protows.Root
	units []*unit
}

func (u *unit) first() *genFile {
	if u.goFile != nil {
		return u.goFile
	}
	return u.grpc
}

// Run regenerates the module's generated protobuf Go code: it finds the
// generated files and their .proto sources (moduleFiles), groups them by
// the import root each compiles under (ws.groupByRoot), regenerates each
// group (ws.regenerateGroup) and, when everything regenerated, brings the
// module's generation scripts in line (fixScripts).
func Run(ctx context.Context, opts Options) (*Result, error) {
	mod, err := modroot.Find(opts.ModuleDir)
	if err != nil {
		return nil, err
	}
	rd := reader(opts.Overlay)
	res := &Result{Requires: map[string]string{}}
	files, err := moduleFiles(mod.Dir, opts.Overlay, rd)
	if err != nil {
		return nil, err
	}
	if len(files.units) == 0 {
		return res, nil
	}
	fx := scriptFix{goVer: opts.goVersion(), grpcVer: opts.grpcVersion(), optOut: opts.AllowMissingUnimplemented}
	ws := &workspace{
		mod:      mod,
		declared: protows.Declared(append(files.configs, files.scripts...), rd.Read),
		gopath:   protows.Root{Dir: mod.Dir, Prefix: mod.Path},
		protos:   files.protos,
		rd:       rd,
	}
	groups := ws.groupByRoot(res, files.units)
	if len(groups) > 0 {
		grpcGen := generate.Spec{Pkg: toolbin.GoGRPCPkg, Version: opts.grpcVersion()}
		if opts.GRPCPlugin != "" {
			grpcGen = generate.Spec{Binary: opts.GRPCPlugin}
		}
		shared := sharedImportPaths(mod, groups)
		regenerated := map[string]bool{}
		for _, gr := range groups {
			if err := ws.regenerateGroup(ctx, res, gr, groups, shared, grpcGen, opts, regenerated); err != nil {
				return nil, err
			}
		}
		res.Regenerated = slices.Sorted(maps.Keys(regenerated))
		// Scripts are brought in line only when every unit regenerated:
		// otherwise the next run of the script would change code protolift
		// kept.
		fx.rewrite = !slices.ContainsFunc(res.Diags, func(d change.Diagnostic) bool { return d.Risk == change.Manual })
	}
	if err := fixScripts(res, files.scripts, rd, fx); err != nil {
		return nil, err
	}
	res.Sort()
	return res, nil
}

// genFiles is what the gen stage reads of a module: its .proto files, the
// buf configurations and scripts that declare import roots and run
// generators, and the generated units in the order first seen.
type genFiles struct {
	protos, configs, scripts []string
	units                    []*unit
}

// moduleFiles lists the module's generated Go files (grouped into units:
// one .proto source generated into one directory) and the files that say
// how they were generated.
func moduleFiles(dir string, overlay map[string][]byte, rd reader) (*genFiles, error) {
	all, err := protows.List(dir, overlay, append([]string{".pb.go", ".proto"}, protows.ConfigSuffixes...)...)
	if err != nil {
		return nil, err
	}
	files := &genFiles{}
	units := map[string]*unit{}
	for _, p := range all {
		switch {
		case strings.HasSuffix(p, ".proto"):
			files.protos = append(files.protos, p)
		case filepath.Base(p) == "buf.yaml" || filepath.Base(p) == "buf.work.yaml":
			files.configs = append(files.configs, p)
		case !strings.HasSuffix(p, ".pb.go"):
			files.scripts = append(files.scripts, p)
		default:
			b, err := rd.Read(p)
			if err != nil {
				return nil, err
			}
			g := parseGenerated(p, b)
			if g == nil {
				continue
			}
			key := filepath.Dir(p) + "\x00" + g.source
			u := units[key]
			if u == nil {
				u = &unit{dir: filepath.Dir(p), source: g.source}
				units[key] = u
				files.units = append(files.units, u)
			}
			if g.grpcOnly {
				u.grpc = g
			} else {
				u.goFile = g
			}
		}
	}
	return files, nil
}

// groupByRoot sets each unit's import root and groups the units by it.
// Each unit is compiled under the root its own generated file names;
// units of different roots are compiled separately, so a file of one
// root never stands in for a same-named file of another. A unit whose
// source is in no root, or in two, is reported and left out.
func (ws *workspace) groupByRoot(res *Result, units []*unit) []*group {
	var groups []*group
	byRoot := map[protows.Root]*group{}
	for _, u := range units {
		g := u.first()
		root, candidates := ws.findRoot(g)
		if len(candidates) > 1 {
			pos := change.PositionAt(g.content, g.sourceOff)
			res.Report(change.Diagnostic{
				Path: g.path, Start: pos, End: pos, Rule: SourceRule, Risk: change.Manual,
				Message:    fmt.Sprintf("cannot regenerate: source %s is ambiguous, the module has it under %s", g.source, strings.Join(candidates, " and ")),
				Suggestion: "name the import root that holds the right copy in a buf.yaml (or the -I flag of the protoc command in the Makefile), then run protolift gen again",
			})
			continue
		}
		if root.Dir == "" {
			pos := change.PositionAt(g.content, g.sourceOff)
			res.Report(change.Diagnostic{
				Path: g.path, Start: pos, End: pos, Rule: SourceRule, Risk: change.Manual,
				Message:    fmt.Sprintf("cannot regenerate: source %s is not in the module (looked next to the file, in its parent directories, in the roots buf.yaml/buf.work.yaml name and in the -I directories of protoc commands in Makefiles and scripts)", g.source),
				Suggestion: fmt.Sprintf("add %s under an import root (a buf.yaml naming the root, or an -I flag of the protoc command in the Makefile), then run protolift gen again", g.source),
			})
			continue
		}
		u.root = root
		gr := byRoot[root]
		if gr == nil {
			gr = &group{root: root}
			byRoot[root] = gr
			groups = append(groups, gr)
		}
		gr.units = append(gr.units, u)
	}
	return groups
}

// sharedImportPaths maps every regenerated source to its Go import path,
// for M flags when a dependency has no go_package. A name that two roots
// generate into different packages is left out: it is only known inside
// its own group.
func sharedImportPaths(mod *modroot.Module, groups []*group) map[string]string {
	shared := map[string]string{}
	clash := map[string]bool{}
	for _, gr := range groups {
		for _, u := range gr.units {
			ip := goImportPath(mod, u.dir)
			if old, ok := shared[u.source]; ok && old != ip {
				clash[u.source] = true
			}
			shared[u.source] = ip
		}
	}
	for n := range clash {
		delete(shared, n)
	}
	return shared
}

// regenerateGroup compiles one root's sources and regenerates each of its
// units that compiled, is not ambiguous and is valid UTF-8; the others
// are reported.
func (ws *workspace) regenerateGroup(ctx context.Context, res *Result, gr *group, groups []*group, shared map[string]string, grpcGen generate.Spec, opts Options, regenerated map[string]bool) error {
	roots := ws.rootsFor(gr.root, groups)
	var names []string
	importPath := maps.Clone(shared)
	for _, u := range gr.units {
		importPath[u.source] = goImportPath(ws.mod, u.dir)
		if !slices.Contains(names, u.source) {
			names = append(names, u.source)
		}
	}
	comp, failed := compileProtos(ctx, roots, names, opts.Overlay)
	ws.reportCompileErrors(res, roots, names, failed)
	ambiguous := ws.ambiguousImports(gr, groups, comp)
	for _, u := range gr.units {
		if _, bad := failed[u.source]; bad || comp.byName[u.source] == nil {
			continue
		}
		if d, bad := ambiguousDiag(u, comp, ambiguous); bad {
			res.Report(d)
			continue
		}
		if src := absSource(roots, u.source, ws.rd); src != u.source {
			if b, err := ws.rd.Read(src); err == nil {
				if d, bad := invalidUTF8(src, b); bad {
					res.Report(d)
					continue
				}
			}
		}
		if err := ws.regenerateUnit(ctx, res, u, comp, importPath, grpcGen, opts, regenerated); err != nil {
			return err
		}
	}
	return nil
}

// reportCompileErrors reports, at the erring .proto line, each source
// that did not compile, with what to do about the common causes.
func (ws *workspace) reportCompileErrors(res *Result, roots []protows.Root, names []string, failed map[string][]posError) {
	for _, n := range names {
		for _, e := range failed[n] {
			p := absSource(roots, e.file, ws.rd)
			if p == "" {
				p = absSource(roots, n, ws.rd)
			}
			pos := change.Position{Line: e.line, Col: e.col}
			suggestion := "fix the .proto file (or run the proto stage first), then run protolift gen again"
			if strings.Contains(e.msg, "could not resolve path") {
				suggestion = "name the directory that holds the import as a root in buf.yaml (or with -I in the protoc command of the Makefile or script; protolift reads both), then run protolift gen again"
			}
			if strings.Contains(e.msg, `edition value "2024"`) {
				// protocompile v0.14.1, the in-process compiler, stops at 2023.
				suggestion = "protolift gen compiles .proto files in process, which supports editions up to 2023: regenerate this file with buf generate (protoc-gen-go " + toolbin.GoVersion + ", protoc-gen-go-grpc " + toolbin.GoGRPCVersion + "), or keep it at edition 2023"
			}
			res.Report(change.Diagnostic{
				Path: p, Start: pos, End: pos, Rule: CompileRule, Risk: change.Manual,
				Message:    fmt.Sprintf("cannot compile %s, so its generated code was not regenerated: %s", n, e.msg),
				Suggestion: suggestion,
			})
		}
	}
}

// regenerateUnit regenerates one unit's protoc-gen-go and protoc-gen-go-grpc
// output from its compiled descriptors.
func (ws *workspace) regenerateUnit(ctx context.Context, res *Result, u *unit, comp *compiled, importPath map[string]string, grpcGen generate.Spec, opts Options, regenerated map[string]bool) error {
	rd, mod := ws.rd, ws.mod
	goVer, grpcVer := opts.goVersion(), opts.grpcVersion()
	fdp := comp.byName[u.source]
	g := u.first()
	params := append(mFlags(comp, u.source, importPath), ownFlag(fdp, u, mod))
	if u.goFile != nil && semver.Compare(goVer, "v1.36.0") >= 0 {
		// API levels (and the parameter) exist from v1.36.0 on.
		if lvl := apiLevel(u.goFile.content); lvl != "" {
			params = append(params, "apilevelM"+u.source+"="+lvl)
		}
	}
	if u.goFile != nil && newerGenerator(u.goFile.generator, goVer) {
		// Made by a newer protoc-gen-go than the go directive allows
		// here: regenerating would downgrade it, so it stays.
	} else if u.goFile != nil {
		req := comp.request(u.source, compilerVersion(u.goFile.compiler))
		gen := generate.Spec{Pkg: toolbin.GoPkg, Version: goVer, Params: strings.Join(params, ",")}
		ok, err := emit(ctx, res, g, gen, req, ".pb.go", u.dir, rd, map[string]string{ProtobufModule: goVer},
			func(f *change.File, name string) change.Edit {
				msg := fmt.Sprintf("regenerated from %s with protoc-gen-go %s", u.source, goVer)
				risk := change.Safe
				if u.goFile.inline {
					msg += "; the plugins=grpc service code moves to " + strings.TrimSuffix(path.Base(name), ".pb.go") + "_grpc.pb.go"
					risk = change.Review
				}
				return wholeFile(RegenerateRule, risk, msg, f.Old)
			})
		if !ok {
			return err
		}
		res.Requires[ProtobufModule] = maxVersion(res.Requires[ProtobufModule], goVer)
		regenerated[importPath[u.source]] = true
	}
	if len(fdp.Service) > 0 && (u.grpc != nil || (u.goFile != nil && u.goFile.inline)) && !(u.grpc != nil && newerGenerator(u.grpc.generator, grpcVer)) {
		cv := g.compiler
		if u.grpc != nil {
			cv = u.grpc.compiler
		}
		req := comp.request(u.source, compilerVersion(cv))
		// The API level only concerns message code; older
		// protoc-gen-go-grpc releases reject the parameter.
		var gparams []string
		for _, p := range params {
			if !strings.HasPrefix(p, "apilevelM") {
				gparams = append(gparams, p)
			}
		}
		// Existing protoc-gen-go-grpc output made without
		// mustEmbedUnimplemented…Server was generated with
		// require_unimplemented_servers=false: keep that, or servers
		// that compile today would stop compiling.
		keepOptOut := u.grpc != nil && !mustEmbedStub.Match(u.grpc.content)
		if opts.AllowMissingUnimplemented || keepOptOut {
			gparams = append(gparams, "require_unimplemented_servers=false")
		}
		gen := grpcGen
		gen.Params = strings.Join(gparams, ",")
		floor := GRPCRuntimeFloor(grpcVer)
		if opts.GRPCPlugin != "" {
			floor = GRPCFloor
		}
		ok, err := emit(ctx, res, g, gen, req, "_grpc.pb.go", u.dir, rd, map[string]string{GRPCModule: floor},
			func(f *change.File, _ string) change.Edit {
				msg := fmt.Sprintf("regenerated from %s with protoc-gen-go-grpc %s", u.source, grpcVer)
				if f.Created {
					msg = fmt.Sprintf("service code of %s, formerly generated inline by plugins=grpc, now from protoc-gen-go-grpc %s: servers must embed Unimplemented<Service>Server", u.source, grpcVer)
				}
				return wholeFile(GRPCSplitRule, change.Review, msg, f.Old)
			})
		if !ok {
			return err
		}
		res.Requires[GRPCModule] = maxVersion(res.Requires[GRPCModule], floor)
		regenerated[importPath[u.source]] = true
	}
	return nil
}

// newerGenerator reports whether existing output made by generator
// version had (from its header; "" when unknown) is newer than planned.
func newerGenerator(had, planned string) bool {
	return had != "" && semver.IsValid(had) && semver.Compare(had, planned) > 0
}

func maxVersion(a, b string) string {
	if a == "" || semver.Compare(b, a) > 0 {
		return b
	}
	return a
}

var stateTag = regexp.MustCompile("protogen:\"(open|hybrid|opaque)\\.v1\"")

// apiLevel returns the Go API level (API_OPEN, API_HYBRID, API_OPAQUE)
// existing protoc-gen-go output was generated with, when all its messages
// share one, so regenerating keeps it: the default depends on the edition
// (2024 defaults to Opaque, so a .proto moved to 2024 would otherwise
// change every struct) and a default_api_level the module's build passed
// is not visible here. Output without level tags predates v1.36 and the
// Open API is all it had. The level only replaces the default: api_level
// features set in the .proto still win.
func apiLevel(src []byte) string {
	tags := stateTag.FindAllSubmatch(src, -1)
	if len(tags) == 0 {
		return "API_OPEN"
	}
	level := ""
	for _, m := range tags {
		l := "API_" + strings.ToUpper(string(m[1]))
		if level != "" && level != l {
			return ""
		}
		level = l
	}
	return level
}

// mustEmbedStub is the Unimplemented…Server method protoc-gen-go-grpc
// writes only with require_unimplemented_servers=true (UnsafeXServer
// names the method either way). Releases before v1.3 write its empty
// body over two lines ("{\n}").
var mustEmbedStub = regexp.MustCompile(`\) mustEmbedUnimplemented\w*\(\) \{\s*\}`)

// emit runs one generator for a unit and puts the file it writes into
// res, with the edit explain describes and the module versions the new
// code needs. A generator error is reported against g, and ok is false
// with a nil error: the unit is skipped, the run goes on.
func emit(ctx context.Context, res *Result, g *genFile, gen generate.Spec, req *generate.Request, suffix, dir string, rd reader,
	requires map[string]string, explain func(f *change.File, name string) change.Edit) (ok bool, err error) {
	out, err := generateOne(ctx, gen, req, suffix)
	if err != nil {
		res.Report(generatorDiag(g, err))
		return false, nil
	}
	f, err := fileChange(dir, out, rd)
	if err != nil {
		return false, err
	}
	if f != nil {
		f.Edits = []change.Edit{explain(f, out.Name)}
		f.Requires = requires
		res.Put(f)
	}
	return true, nil
}

// generateOne runs gen on a one-file request and returns the file it
// wrote with the given suffix.
func generateOne(ctx context.Context, gen generate.Spec, req *generate.Request, suffix string) (*generate.File, error) {
	files, err := generate.Run(ctx, gen, req)
	if err != nil {
		return nil, err
	}
	for i := range files {
		if strings.HasSuffix(files[i].Name, suffix) && (suffix == "_grpc.pb.go" || !strings.HasSuffix(files[i].Name, "_grpc.pb.go")) {
			return &files[i], nil
		}
	}
	return nil, fmt.Errorf("generator %s wrote no %s file for %s", gen, suffix, req.FileToGenerate[0])
}

// ownFlag pins the file's Go import path and package name to what the
// module has: go_package may omit the name (the old generator derived it
// differently) or be missing altogether (old generators did not need it).
func ownFlag(fdp *descriptorpb.FileDescriptorProto, u *unit, mod *modroot.Module) string {
	ip := goImportPath(mod, u.dir)
	if gp := fdp.GetOptions().GetGoPackage(); gp != "" {
		// A bare name ("example", as old generators took it) is no
		// import path: the directory's import path stands in.
		if p, _, _ := strings.Cut(gp, ";"); strings.ContainsAny(p, "./") {
			ip = p
		}
	}
	return "M" + u.source + "=" + ip + ";" + u.first().pkg
}

// wktPackages are the Go packages of the well-known types in current
// protobuf-go. Mapping them explicitly moves the imports even when the
// module carries its own copies of the WKT .proto files with the old
// github.com/golang/protobuf/ptypes go_package.
var wktPackages = map[string]string{
	"google/protobuf/any.proto":             "google.golang.org/protobuf/types/known/anypb",
	"google/protobuf/api.proto":             "google.golang.org/protobuf/types/known/apipb",
	"google/protobuf/duration.proto":        "google.golang.org/protobuf/types/known/durationpb",
	"google/protobuf/empty.proto":           "google.golang.org/protobuf/types/known/emptypb",
	"google/protobuf/field_mask.proto":      "google.golang.org/protobuf/types/known/fieldmaskpb",
	"google/protobuf/source_context.proto":  "google.golang.org/protobuf/types/known/sourcecontextpb",
	"google/protobuf/struct.proto":          "google.golang.org/protobuf/types/known/structpb",
	"google/protobuf/timestamp.proto":       "google.golang.org/protobuf/types/known/timestamppb",
	"google/protobuf/type.proto":            "google.golang.org/protobuf/types/known/typepb",
	"google/protobuf/wrappers.proto":        "google.golang.org/protobuf/types/known/wrapperspb",
	"google/protobuf/descriptor.proto":      "google.golang.org/protobuf/types/descriptorpb",
	"google/protobuf/compiler/plugin.proto": "google.golang.org/protobuf/types/pluginpb",
}

// mFlags returns the M parameters for source's imports: WKTs always map to
// types/known, and dependencies without go_package map to the directory
// the module generated them into.
func mFlags(c *compiled, source string, importPath map[string]string) []string {
	var out []string
	deps := c.deps(source)
	for _, n := range c.order {
		if n == source || !deps[n] {
			continue
		}
		fdp := c.byName[n]
		if ip, ok := wktPackages[n]; ok {
			if fdp.GetOptions().GetGoPackage() != ip {
				out = append(out, "M"+n+"="+ip)
			}
			continue
		}
		if fdp.GetOptions().GetGoPackage() == "" {
			if ip, ok := importPath[n]; ok {
				out = append(out, "M"+n+"="+ip)
			}
		}
	}
	return out
}

// goImportPath is the import path of a directory of the module.
func goImportPath(mod *modroot.Module, dir string) string {
	rel, err := filepath.Rel(mod.Dir, dir)
	if err != nil || rel == "." {
		return mod.Path
	}
	return mod.Path + "/" + filepath.ToSlash(rel)
}

// fileChange places a generated file next to the old output (the plugin's
// own path depends on paths= settings we do not know; the directory the
// module keeps it in is what matters) and returns nil when nothing changes.
func fileChange(dir string, out *generate.File, rd reader) (*change.File, error) {
	p := filepath.Join(dir, path.Base(out.Name))
	content := out.Content
	if rd.Exists(p) {
		old, err := rd.Read(p)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(old, content) {
			return nil, nil
		}
		return &change.File{Path: p, Old: old, New: content}, nil
	}
	return &change.File{Path: p, New: content, Created: true}, nil
}

func wholeFile(rule string, risk change.Risk, msg string, old []byte) change.Edit {
	return change.Edit{Rule: rule, Risk: risk, Message: msg, Start: change.Position{Line: 1, Col: 1}, End: change.PositionAt(old, len(old))}
}

func generatorDiag(g *genFile, err error) change.Diagnostic {
	pos := change.PositionAt(g.content, g.sourceOff)
	// Generators may append the whole output they could not format: keep
	// the first line, which says what went wrong.
	msg, _, cut := strings.Cut(err.Error(), "\n")
	if len(msg) > 300 {
		msg, cut = msg[:300], true
	}
	if cut {
		msg += " …"
	}
	sugg := "fix what the generator names in " + g.source + ", then run protolift gen again"
	if strings.Contains(msg, "go_package") || strings.Contains(msg, "Go import path") {
		sugg = "add option go_package to " + g.source + " (protolift proto adds one), then run protolift gen again"
	}
	return change.Diagnostic{
		Path: g.path, Start: pos, End: pos, Rule: GeneratorRule, Risk: change.Manual,
		Message:    fmt.Sprintf("cannot regenerate from %s: %s", g.source, msg),
		Suggestion: sugg,
	}
}

// compilerVersion turns the protoc version an old header recorded back
// into the request field, so regenerating current code with the same
// protoc header is a no-op instead of a header-only change.
func compilerVersion(v string) *pluginpb.Version {
	if v == "" {
		return nil
	}
	v = strings.TrimPrefix(v, "v")
	core, suffix, _ := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return nil
	}
	var n [3]int32
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil {
			return nil
		}
		n[i] = int32(x)
	}
	cv := &pluginpb.Version{Major: proto.Int32(n[0]), Minor: proto.Int32(n[1]), Patch: proto.Int32(n[2])}
	if suffix != "" {
		cv.Suffix = proto.String(suffix)
	}
	return cv
}
