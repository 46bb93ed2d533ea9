// Package diffcheck regenerates the same .proto files with two sets of
// generators (or one set before and after a .proto change), type-checks
// both outputs, compares the exported API of every generated Go package,
// classifies each difference as breaking or compatible for callers, and
// finds where the module's own code depends on the breaking ones.
package diffcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/udiff"
)

// Options configures Run.
type Options struct {
	// ModuleDir is the user's module root; its packages are searched for
	// uses of breaking changes. Empty skips the cross-reference.
	ModuleDir string
	// Paths are the .proto files to generate (import names or file paths
	// under ImportPaths).
	Paths       []string
	ImportPaths []string
	// Overlay replaces file contents (absolute path → content) for both
	// the .proto compile and the module load.
	Overlay map[string][]byte
	// Old and New are the generator sets to compare. With NewOverlay set
	// and New empty, Old runs on both sides.
	Old, New []generate.Spec
	// NewOverlay, when non-nil, holds changed .proto contents (absolute
	// path → content) for the new side only: the before/after mode that
	// compares one generator's output across a .proto edit.
	NewOverlay map[string][]byte
	// DiffFile names one generated file (as the generator names it, or
	// its base name) whose unified text diff goes into the report.
	DiffFile string
}

// Report is the result of a diffcheck run.
type Report struct {
	Old      []string `json:"old"`
	New      []string `json:"new"`
	Protos   []string `json:"protos"`
	Packages []string `json:"packages"`
	Changes  []Change `json:"changes"`
	// CrossReferenced is true when a module was searched for uses.
	CrossReferenced bool   `json:"cross_referenced"`
	Diff            string `json:"diff,omitempty"`
}

// Run performs the comparison described by opts.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if len(opts.Old) == 0 {
		return nil, errors.New("diffcheck: no old generators given; pass -old=GEN[,GEN…]")
	}
	newGens := opts.New
	if len(newGens) == 0 {
		if opts.NewOverlay == nil {
			return nil, errors.New("diffcheck: no new generators given; pass -new=GEN[,GEN…]")
		}
		newGens = opts.Old
	}
	// Comments matter only to a text diff; without them every generator
	// reads and writes less.
	noInfo := opts.DiffFile == ""
	oldReq, err := generate.Compile(ctx, generate.CompileOptions{ImportPaths: opts.ImportPaths, Files: opts.Paths, Overlay: opts.Overlay, NoSourceInfo: noInfo})
	if err != nil {
		return nil, err
	}
	newReq := oldReq
	if opts.NewOverlay != nil {
		merged := maps.Clone(opts.Overlay)
		if merged == nil {
			merged = map[string][]byte{}
		}
		maps.Copy(merged, opts.NewOverlay)
		newReq, err = generate.Compile(ctx, generate.CompileOptions{ImportPaths: opts.ImportPaths, Files: opts.Paths, Overlay: merged, NoSourceInfo: noInfo})
		if err != nil {
			return nil, fmt.Errorf("diffcheck: new side: %w", err)
		}
	}
	return compareRequests(ctx, opts, newGens, oldReq, newReq)
}

// RunRequest is Run for a caller that already holds the compiled request,
// such as a protoc plugin: both generator sets run on req, and
// opts.Paths, ImportPaths and NewOverlay are ignored.
func RunRequest(ctx context.Context, opts Options, req *pluginpb.CodeGeneratorRequest) (*Report, error) {
	if len(opts.Old) == 0 || len(opts.New) == 0 {
		return nil, errors.New("diffcheck: give both old and new generators (old=GEN and new=GEN)")
	}
	r := &generate.Request{CodeGeneratorRequest: proto.Clone(req).(*pluginpb.CodeGeneratorRequest)}
	r.Parameter = nil
	return compareRequests(ctx, opts, opts.New, r, r)
}

func compareRequests(ctx context.Context, opts Options, newGens []generate.Spec, oldReq, newReq *generate.Request) (*Report, error) {
	protos := slices.Clone(oldReq.FileToGenerate)
	wanted := requestedPackages(oldReq, protos)
	widenToDeps(oldReq)
	if newReq != oldReq {
		widenToDeps(newReq)
	}

	// The two sides are independent until comparison; running them side
	// by side is what keeps diffcheck near one buf generate.
	var oldFiles, newFiles []generate.File
	var oldErr, newErr error
	var wg sync.WaitGroup
	wg.Go(func() { oldFiles, oldErr = generate.RunAll(ctx, opts.Old, oldReq) })
	wg.Go(func() { newFiles, newErr = generate.RunAll(ctx, newGens, newReq) })
	wg.Wait()
	if oldErr != nil {
		return nil, fmt.Errorf("diffcheck: old side: %w", oldErr)
	}
	if newErr != nil {
		return nil, fmt.Errorf("diffcheck: new side: %w", newErr)
	}

	fset := token.NewFileSet()
	if err := preloadDeps(fset, sideFiles{oldFiles, importPathFunc(oldReq)}, sideFiles{newFiles, importPathFunc(newReq)}); err != nil {
		return nil, err
	}
	var oldPkgs, newPkgs map[string]*genPackage
	wg.Go(func() { oldPkgs, oldErr = typeCheck(fset, oldFiles, importPathFunc(oldReq)) })
	wg.Go(func() { newPkgs, newErr = typeCheck(fset, newFiles, importPathFunc(newReq)) })
	wg.Wait()
	if oldErr != nil {
		return nil, fmt.Errorf("diffcheck: old side (%s): %w", specList(opts.Old), oldErr)
	}
	if newErr != nil {
		return nil, fmt.Errorf("diffcheck: new side (%s): %w", specList(newGens), newErr)
	}

	rep := &Report{Old: specStrings(opts.Old), New: specStrings(newGens), Protos: protos}
	paths := map[string]bool{}
	for p := range oldPkgs {
		paths[p] = true
	}
	for p := range newPkgs {
		paths[p] = true
	}
	for _, p := range sortedKeys(paths) {
		if wanted != nil && !wanted[p] {
			continue
		}
		rep.Packages = append(rep.Packages, p)
		var om, nm *apiModel
		if gp := oldPkgs[p]; gp != nil {
			om = buildModel(gp)
		}
		if gp := newPkgs[p]; gp != nil {
			nm = buildModel(gp)
		}
		rep.Changes = append(rep.Changes, compare(p, om, nm)...)
	}
	slices.SortStableFunc(rep.Changes, func(a, b Change) int {
		return cmp.Or(strings.Compare(a.Package, b.Package), strings.Compare(owner(a.Name), owner(b.Name)), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Name, b.Name))
	})
	if opts.ModuleDir != "" {
		if err := crossReference(opts.ModuleDir, opts.Overlay, rep.Changes); err != nil {
			return nil, err
		}
		rep.CrossReferenced = true
	}
	if opts.DiffFile != "" {
		d, err := fileDiff(opts.DiffFile, oldFiles, newFiles)
		if err != nil {
			return nil, err
		}
		rep.Diff = d
	}
	return rep, nil
}

// widenToDeps generates every non-runtime file of the request, not only
// the requested ones: generated packages import the Go packages of their
// .proto imports, and type-checking needs them. Well-known types and
// googleapis come from the runtime modules instead.
func widenToDeps(req *generate.Request) {
	for _, f := range req.ProtoFile {
		name := f.GetName()
		gp := goImportPath(f.GetOptions().GetGoPackage())
		if strings.HasPrefix(name, "google/protobuf/") || strings.HasPrefix(gp, "google.golang.org/") {
			continue
		}
		if !slices.Contains(req.FileToGenerate, name) {
			req.FileToGenerate = append(req.FileToGenerate, name)
		}
	}
}

// requestedPackages returns the Go import paths of the requested files,
// or nil when some file has no go_package (then every package counts).
func requestedPackages(req *generate.Request, paths []string) map[string]bool {
	out := map[string]bool{}
	for _, name := range paths {
		for _, f := range req.ProtoFile {
			if f.GetName() != name {
				continue
			}
			gp := goImportPath(f.GetOptions().GetGoPackage())
			if gp == "" {
				return nil
			}
			out[gp] = true
		}
	}
	return out
}

func importPathFunc(req *generate.Request) func(generate.File, *ast.File) string {
	goPkg := map[string]string{}
	for _, f := range req.ProtoFile {
		goPkg[f.GetName()] = goImportPath(f.GetOptions().GetGoPackage())
	}
	return func(f generate.File, af *ast.File) string {
		if p := goPkg[sourceOf(af)]; p != "" {
			return p
		}
		return outputDirPath(f.Name)
	}
}

func fileDiff(name string, oldFiles, newFiles []generate.File) (string, error) {
	find := func(files []generate.File) (generate.File, bool) {
		for _, f := range files {
			if f.Name == name {
				return f, true
			}
		}
		var hit []generate.File
		for _, f := range files {
			if path.Base(f.Name) == name {
				hit = append(hit, f)
			}
		}
		if len(hit) == 1 {
			return hit[0], true
		}
		return generate.File{}, false
	}
	o, okOld := find(oldFiles)
	n, okNew := find(newFiles)
	if !okOld && !okNew {
		var names []string
		for _, f := range append(slices.Clone(oldFiles), newFiles...) {
			if !slices.Contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
		return "", fmt.Errorf("diffcheck: -diff=%s: no generated file by that name; generated files are: %s", name, strings.Join(names, ", "))
	}
	label := o.Name
	if label == "" {
		label = n.Name
	}
	return string(udiff.Unified("old/"+label, "new/"+label, o.Content, n.Content)), nil
}

func specStrings(specs []generate.Spec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.String()
	}
	return out
}

func specList(specs []generate.Spec) string { return strings.Join(specStrings(specs), ", ") }
