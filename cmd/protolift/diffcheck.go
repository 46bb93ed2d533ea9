package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/protolift/protolift/diffcheck"
	"github.com/protolift/protolift/internal/apply"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/modroot"
	"github.com/protolift/protolift/internal/protows"
)

const diffcheckUsage = `usage: protolift diffcheck -old=GEN[,GEN...] [-new=GEN[,GEN...]] [flags] [paths...]

Generates Go code from the same compiled .proto files with the old and the
new generators, type-checks both outputs and reports the structural
difference of the exported API (types, functions, methods and method sets,
struct fields, constants and variables, file names), each change classified
breaking or compatible for callers, and for breaking ones whether this
module uses the changed identifier (file:line).

With -base=REV instead of -new, the old generators run on both sides: the
.proto files as they are at git revision REV against the working tree (the
check for a .proto change, such as an Editions conversion).

A GEN is a generator with its version and parameters, or a plugin binary:
  github.com/golang/protobuf/protoc-gen-go@v1.3.5:plugins=grpc
  google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
  google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2:require_unimplemented_servers=true
  /path/to/protoc-gen-x:param=value
-new defaults to the current generators (protoc-gen-go v1.36.12 and
protoc-gen-go-grpc v1.6.2). Paths are .proto files or directories (default:
every .proto file of the module, outside vendor/, testdata/, nested
modules and third-party include trees, as the proto stage selects them).

Exit status: 0 when the report passes -fail-on, 1 when it fails it, 2 on
errors.

Flags:
`

// runDiffcheck implements `protolift diffcheck`.
func runDiffcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("protolift diffcheck", flag.ContinueOnError)
	dir := fs.String("C", ".", "run in `dir` (inside the Go module whose code is checked for uses)")
	oldGens := fs.String("old", "", "old generators: comma-separated `GEN` list (required)")
	newGens := fs.String("new", "", "new generators: comma-separated `GEN` list (default: the current generators)")
	base := fs.String("base", "", "compare the .proto files at git revision `REV` with the working tree, using the old generators on both sides")
	format := fs.String("format", "text", "report format: text, json or markdown")
	failOn := fs.String("fail-on", diffcheck.FailOnUsed, "exit 1 when the report has: breaking (any breaking change), used (breaking changes this module uses) or never")
	diffFile := fs.String("diff", "", "also print a unified diff of this generated `file` (as the generators name it, or its base name)")
	includes := fs.String("I", "", "comma-separated import `roots` for .proto files (default: the directories of buf.work.yaml, else the module root)")
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, diffcheckUsage)
		printDefaults(fs, w)
	}
	if code, done := parseCommand(fs, printUsage, args, stdout, stderr); done {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "protolift diffcheck: %v\n", err)
		return exitError
	}
	usage := func(err error) int { return usageFailure(stderr, "diffcheck", err) }
	if *oldGens == "" {
		return usage(errors.New("-old is required: name the generators the code was generated with, e.g. -old=github.com/golang/protobuf/protoc-gen-go@v1.3.5:plugins=grpc"))
	}
	if *newGens != "" && *base != "" {
		return usage(errors.New("-new and -base cannot be used together: -new compares generators, -base compares .proto revisions under the old generators"))
	}
	switch *format {
	case "text", "json", "markdown":
	default:
		return usage(fmt.Errorf("-format=%s: want text, json or markdown", *format))
	}
	if err := diffcheck.CheckFailOn(*failOn); err != nil {
		return usage(err)
	}
	m, err := modroot.Find(*dir)
	if err != nil {
		return fail(err)
	}
	if err := apply.RecoverTo(m.Dir, stderr); err != nil {
		return fail(err)
	}
	opts := diffcheck.Options{ModuleDir: m.Dir, DiffFile: *diffFile}
	if opts.Old, err = generate.ParseSpecs(*oldGens); err != nil {
		return usage(fmt.Errorf("-old: %v", err))
	}
	switch {
	case *newGens != "":
		if opts.New, err = generate.ParseSpecs(*newGens); err != nil {
			return usage(fmt.Errorf("-new: %v", err))
		}
	case *base == "":
		opts.New = generate.Current()
	}
	if *includes != "" {
		for _, p := range strings.Split(*includes, ",") {
			opts.ImportPaths = append(opts.ImportPaths, protows.Abs(m.Dir, p))
		}
	} else {
		opts.ImportPaths = protoRoots(m.Dir)
	}
	base0, _ := filepath.Abs(*dir)
	var paths []string
	for _, a := range fs.Args() {
		paths = append(paths, protows.Abs(base0, a))
	}
	// The proto stage's file set: the module's own .proto files.
	if opts.Paths, err = (&protows.Workspace{Dir: m.Dir}).Sources(paths); err != nil {
		return fail(err)
	}
	if len(opts.Paths) == 0 {
		return fail(fmt.Errorf("no .proto files found in %s; pass paths", m.Dir))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *base != "" {
		if opts.Overlay, opts.NewOverlay, err = revisionOverlays(ctx, m.Dir, *base, opts.ImportPaths); err != nil {
			return fail(err)
		}
	}
	rep, err := diffcheck.Run(ctx, opts)
	if err != nil {
		return fail(err)
	}
	switch *format {
	case "json":
		err = rep.JSON(stdout)
	case "markdown":
		err = rep.Markdown(stdout)
	default:
		err = rep.Text(stdout)
	}
	if err != nil {
		return fail(err)
	}
	if rep.Fails(*failOn) {
		return exitFindings
	}
	return exitOK
}

func protoRoots(moduleDir string) []string { return protows.Discover(moduleDir, nil) }

// revisionOverlays reads every .proto file under the import roots as it
// is at git revision rev (the old side) and as it is now (the new side).
func revisionOverlays(ctx context.Context, moduleDir, rev string, roots []string) (old, cur map[string][]byte, err error) {
	r, err := protows.AtRevision(ctx, moduleDir, rev)
	if err != nil {
		return nil, nil, fmt.Errorf("-base=%s: %v", rev, err)
	}
	old, cur = map[string][]byte{}, map[string][]byte{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
				return err
			}
			now, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			then, ok, err := r.Read(ctx, p)
			if err != nil || !ok {
				// Not ok: new since rev, the old side has no such file.
				return err
			}
			old[p], cur[p] = then, now
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return old, cur, nil
}
