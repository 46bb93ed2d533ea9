package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	goversion "go/version"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/apply"
	"github.com/protolift/protolift/internal/pipeline"
	"github.com/protolift/protolift/internal/report"
	"github.com/protolift/protolift/rule"
)

// flags are the options every stage shares.
type flags struct {
	fs          *flag.FlagSet
	dir         string
	diff, list  bool
	write, json bool
	rdjsonl     bool
	rules       string
	tags        string
	failManual  bool
	latest      bool
	goLimit     string
	tidy        bool
	progress    string
	grpcServer  string
	keepFormat  bool
	edition     string
	goPkgPrefix string
	goPkgMap    string
	prove       string
	noVerify    bool
}

// stageFlags lists, for each flag a single stage needs, the stages that
// use it; every other flag belongs to every stage. The full run (stage
// "") has them all.
var stageFlags = map[string][]string{
	"rules":              {"go"},
	"tags":               {"go"},
	"grpc-server":        {"gen", "go"},
	"edition":            {"proto"},
	"prove":              {"proto"},
	"go-package-prefix":  {"proto"},
	"go-package-map":     {"proto"},
	"latest":             {"gen", "mod"},
	"go":                 {"gen", "go", "mod"},
	"tidy":               {"mod"},
	"verify":             {"gen", "go", "mod"},
	"keep-output-format": {"go"},
}

// stageOf names the stages a flag belongs to, for the error that says
// where a flag given to the wrong stage goes.
func stageOf(flagName string) []string { return stageFlags[flagName] }

func newFlags(name string, out io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet("protolift "+name, flag.ContinueOnError), tidy: true, failManual: true, progress: "auto", grpcServer: "embed"}
	f.fs.SetOutput(out)
	f.fs.Usage = func() {}
	has := func(flagName string) bool {
		stages, ok := stageFlags[flagName]
		return name == "" || !ok || slices.Contains(stages, name)
	}
	str := func(p *string, flagName, value, usage string) {
		if has(flagName) {
			f.fs.StringVar(p, flagName, value, usage)
		}
	}
	boolean := func(p *bool, flagName string, value bool, usage string) {
		if has(flagName) {
			f.fs.BoolVar(p, flagName, value, usage)
		}
	}
	str(&f.dir, "C", ".", "run in `dir` (the module root or a directory inside the module)")
	boolean(&f.diff, "d", false, "print a unified diff of the changes (the default)")
	boolean(&f.list, "l", false, "list files that would change; print nothing when nothing would")
	boolean(&f.write, "w", false, "write the changes to the files (atomically); with -json, also report them as JSON")
	boolean(&f.json, "json", false, "print the result as JSON (files, changes with rule and risk, diagnostics)")
	boolean(&f.rdjsonl, "rdjsonl", false, "print changes as suggested edits and findings as review comments, in reviewdog's rdjsonl format (for PR bots)")
	str(&f.rules, "rules", "", "Go rules to run: comma-separated names or groups, '-' removes (e.g. protov1,-protov1.jsonpb); default all")
	str(&f.tags, "tags", "", "comma-separated build tags to consider when loading Go packages")
	boolean(&f.failManual, "fail-on-manual", true, "exit with status 1 when findings that need a person remain")
	boolean(&f.latest, "latest", false, "require the newest releases (and generators), letting the go directive rise up to the go command's version unless -go says otherwise")
	str(&f.goLimit, "go", "", "allow the go directive to rise up to this Go `version` (e.g. 1.23) when newer generators, runtimes or rewrites need it; by default it never moves")
	boolean(&f.tidy, "tidy", pipeline.Default().Tidy, "mod stage: run go mod tidy over the rewritten code (drops requirements nothing imports)")
	str(&f.progress, "progress", "auto", "show progress on stderr: auto (when it is a terminal), always, never")
	str(&f.edition, "edition", "", "proto stage: convert proto2/proto3 files to this edition (2023), proving each conversion equivalent")
	str(&f.prove, "prove", "", "proto stage: check instead of rewrite: prove every .proto file changed since git revision `REV` equivalent to its old version (same resolved field features, same protoc-gen-go output)")
	str(&f.goPkgPrefix, "go-package-prefix", "", "proto stage: import path prefix for go_package options it adds (default: the module path)")
	str(&f.goPkgMap, "go-package-map", "", "proto stage: comma-separated `dir=importpath` pairs for go_package options it adds (longest match wins)")
	if has("verify") {
		f.fs.BoolFunc("verify", "type-check and go vet the result and withdraw every change that breaks the build or gives go vet a new finding (default true; -verify=false only to debug protolift)", func(v string) error {
			b, err := strconv.ParseBool(v)
			f.noVerify = !b
			return err
		})
	}
	boolean(&f.keepFormat, "keep-output-format", false, "go stage: refuse every rewrite that changes produced text (jsonpb → protojson output, the v1 text format → prototext); they are reported instead")
	str(&f.grpcServer, "grpc-server", pipeline.Default().GRPCServer, "hand-written gRPC servers under protoc-gen-go-grpc: embed (UnimplementedXServer by value), unsafe (opt out through UnsafeXServer), keep (regenerate with require_unimplemented_servers=false, change no server type)")
	return f
}

// usageError is a mistake in the command line: exit status 2 and a
// one-line hint at the usage.
// usageError is a mistake in the command line: exit status 2 and a
// one-line hint at the usage. The pipeline returns the same type for
// mistakes it finds while running (a pattern matching nothing, an
// unknown rule).
type usageError = pipeline.UsageError

// outputFlags are the flags that choose what protolift prints or does
// with the result, in the order they are named in errors.
var outputFlags = []struct{ name, does string }{
	{"d", "prints a diff"},
	{"l", "lists files"},
	{"w", "writes"},
	{"json", "prints JSON"},
	{"rdjsonl", "prints review suggestions"},
}

func (f *flags) parse(args []string) ([]string, error) {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{Msg: f.explain(err).Error()}
	}
	set := map[string]bool{"d": f.diff, "l": f.list, "w": f.write, "json": f.json, "rdjsonl": f.rdjsonl}
	var on []string
	for _, o := range outputFlags {
		if set[o.name] {
			on = append(on, o.name)
		}
	}
	// -w -json writes and reports what it wrote as JSON; every other pair
	// asks for two different outputs.
	for i, a := range on {
		for _, b := range on[i+1:] {
			if a == "w" && b == "json" {
				continue
			}
			return nil, usageError{Msg: fmt.Sprintf("flags -%s and -%s cannot be used together: -%s %s, -%s %s; pick one (only -w -json combine: write, then report as JSON)", a, b, a, does(a), b, does(b))}
		}
	}
	switch f.progress {
	case "auto", "always", "never":
	default:
		return nil, usageError{Msg: fmt.Sprintf("-progress=%s: want auto, always or never", f.progress)}
	}
	if f.prove != "" && (f.write || f.edition != "") {
		return nil, usageError{Msg: "-prove checks files and rewrites nothing: it cannot be used with -w or -edition"}
	}
	if err := checkGoFlag(f.goLimit); err != nil {
		return nil, err
	}
	switch f.grpcServer {
	case "embed", "unsafe", "keep":
	default:
		return nil, usageError{Msg: fmt.Sprintf("-grpc-server=%s: want embed, unsafe or keep", f.grpcServer)}
	}
	pats := f.fs.Args()
	for _, p := range pats {
		if strings.HasPrefix(p, "-") {
			return nil, usageError{Msg: fmt.Sprintf("flag %s after package patterns: flags go before patterns", p)}
		}
	}
	return pats, nil
}

func does(name string) string {
	for _, o := range outputFlags {
		if o.name == name {
			return o.does
		}
	}
	return ""
}

// explain adds to the flag package's "flag provided but not defined"
// which stage a flag belongs to, when it belongs to another one.
func (f *flags) explain(err error) error {
	const undefined = "flag provided but not defined: -"
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefined)
	if !ok {
		return err
	}
	name, _, _ = strings.Cut(strings.TrimPrefix(name, "-"), "=")
	if stages := stageOf(name); len(stages) > 0 {
		return fmt.Errorf("flag -%s belongs to the %s stage (protolift %s -%s, or the full run), not to protolift %s", name, strings.Join(stages, " and "), stages[0], name, f.stage())
	}
	return err
}

// stage is the stage the flag set parses for ("" for the full run).
func (f *flags) stage() string {
	return strings.TrimSpace(strings.TrimPrefix(f.fs.Name(), "protolift"))
}

// checkGoFlag validates -go.
func checkGoFlag(v string) error {
	if v != "" && !goversion.IsValid("go"+v) {
		return usageError{Msg: fmt.Sprintf("-go=%s: want a Go version such as 1.23", v)}
	}
	return nil
}

// extraRules are appended to the selected rules; tests use it to run
// rules that misbehave on purpose, to prove verification catches them.
var extraRules []*rule.Rule

// options is what the flags decide for the pipeline.
func (f *flags) options(stage string, patterns []string, stderr io.Writer) pipeline.Options {
	return pipeline.Options{
		Dir: f.dir, Stage: stage, Patterns: patterns,
		Rules: f.rules, ExtraRules: extraRules, Tags: f.tags, KeepOutputFormat: f.keepFormat, GRPCServer: f.grpcServer,
		Latest: f.latest, GoLimit: f.goLimit, Tidy: f.tidy, NoVerify: f.noVerify,
		Edition: f.edition, GoPackagePrefix: f.goPkgPrefix, GoPackageMap: f.goPkgMap, Prove: f.prove,
		Progress: f.showProgress(), Stderr: stderr,
	}
}

func (f *flags) showProgress() bool {
	if f.json || f.rdjsonl || f.progress == "never" {
		return false
	}
	if f.progress == "always" {
		return true
	}
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func runStages(stage string, args []string, stdout, stderr io.Writer) int {
	f := newFlags(stage, io.Discard)
	patterns, err := f.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printStageUsage(stdout, stage)
		return exitOK
	}
	if err != nil {
		return usageFailure(stderr, stage, err)
	}
	if f.prove != "" && stage != "proto" {
		return usageFailure(stderr, stage, fmt.Errorf("-prove belongs to the proto stage: run protolift proto -prove=%s", f.prove))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := pipeline.Run(ctx, f.options(stage, patterns, stderr))
	if ue := (usageError{}); errors.As(err, &ue) {
		return usageFailure(stderr, stage, err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "protolift: %v\n", err)
		return exitError
	}
	return f.finish(res, stdout, stderr)
}

// finish prints or writes the result and picks the exit status.
func (f *flags) finish(res *pipeline.Result, stdout, stderr io.Writer) int {
	written := false
	if f.write && len(res.Set.Files) > 0 {
		if err := apply.Write(res.ModuleDir, res.Set); err != nil {
			fmt.Fprintf(stderr, "protolift: %v\n", err)
			return exitError
		}
		written = true
	}
	var err error
	switch {
	case f.json:
		err = report.JSON(stdout, res.Base, res.Set, res.Requires, written)
	case f.rdjsonl:
		err = report.RDJSONL(stdout, res.Base, res.Set)
	case f.list:
		err = report.List(stdout, res.Base, res.Set)
	case f.write:
		// gofmt -w prints nothing.
	default:
		err = report.Diff(stdout, res.Base, res.Set)
	}
	if err != nil {
		fmt.Fprintf(stderr, "protolift: %v\n", err)
		return exitError
	}
	if !f.json && !f.rdjsonl {
		report.Diagnostics(stderr, res.Base, res.Set.Diags)
	}
	if f.failManual && res.Set.NeedsPerson() {
		return exitFindings
	}
	return exitOK
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
