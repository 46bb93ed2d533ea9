package generate

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"path"
	"strings"
	"sync"

	"golang.org/x/mod/semver"

	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/protolift/protolift/internal/toolbin"
)

// File is one generated output file.
type File struct {
	Name    string // path relative to the output directory, slash-separated
	Content []byte
}

// Run runs the generator on the request (with gen.Params as the plugin
// parameter) and returns its files in the order the plugin wrote them.
// A generator error (the plugin's CodeGeneratorResponse.error, a crash, a
// missing feature such as editions support) is returned as an error that
// names the generator.
func Run(ctx context.Context, gen Spec, req *Request) ([]File, error) {
	if err := gen.Validate(); err != nil {
		return nil, err
	}
	in := req.Clone(gen.Params)
	var resps []*pluginpb.CodeGeneratorResponse
	for _, part := range splitRequest(gen, in) {
		var resp *pluginpb.CodeGeneratorResponse
		var err error
		if gen.InProcess() {
			resp, err = runGoInProcess(part)
		} else {
			resp, err = runBinary(ctx, gen, part)
		}
		if err != nil {
			return nil, err
		}
		if resp.Error != nil {
			return nil, fmt.Errorf("generator %s failed: %s", gen, resp.GetError())
		}
		if err := checkFeatures(gen, part, resp); err != nil {
			return nil, err
		}
		resps = append(resps, resp)
	}
	var files []File
	for _, f := range concatFiles(resps) {
		if f.GetInsertionPoint() != "" {
			return nil, fmt.Errorf("generator %s wrote into insertion point %q of %s; insertion points are not supported", gen, f.GetInsertionPoint(), f.GetName())
		}
		if f.GetName() == "" && len(files) > 0 {
			// An unnamed file continues the previous one (plugin protocol).
			files[len(files)-1].Content = append(files[len(files)-1].Content, f.GetContent()...)
			continue
		}
		files = append(files, File{Name: f.GetName(), Content: []byte(f.GetContent())})
	}
	return files, nil
}

// splitRequest gives golang/protobuf's protoc-gen-go before v1.4 one
// request per Go package: it refuses a request whose files belong to
// different Go packages ("inconsistent package import paths"), which is
// why protoc was run once per directory for it.
func splitRequest(gen Spec, req *pluginpb.CodeGeneratorRequest) []*pluginpb.CodeGeneratorRequest {
	if gen.Pkg != toolbin.LegacyGoPkg || semver.Compare(gen.Version, "v1.4.0") >= 0 {
		return []*pluginpb.CodeGeneratorRequest{req}
	}
	goPkg := map[string]string{}
	for _, f := range req.ProtoFile {
		p, _, _ := strings.Cut(f.GetOptions().GetGoPackage(), ";")
		if p == "" {
			p = "dir:" + path.Dir(f.GetName())
		}
		goPkg[f.GetName()] = p
	}
	var order []string
	groups := map[string][]string{}
	for _, name := range req.FileToGenerate {
		p := goPkg[name]
		if _, ok := groups[p]; !ok {
			order = append(order, p)
		}
		groups[p] = append(groups[p], name)
	}
	if len(order) <= 1 {
		return []*pluginpb.CodeGeneratorRequest{req}
	}
	var out []*pluginpb.CodeGeneratorRequest
	for _, p := range order {
		part := &pluginpb.CodeGeneratorRequest{
			FileToGenerate:  groups[p],
			Parameter:       req.Parameter,
			ProtoFile:       req.ProtoFile,
			CompilerVersion: req.CompilerVersion,
		}
		out = append(out, part)
	}
	return out
}

func concatFiles(resps []*pluginpb.CodeGeneratorResponse) []*pluginpb.CodeGeneratorResponse_File {
	var out []*pluginpb.CodeGeneratorResponse_File
	for _, r := range resps {
		out = append(out, r.File...)
	}
	return out
}

// RunAll runs each generator on the same request and concatenates their
// files. Two generators writing the same file name is an error.
func RunAll(ctx context.Context, gens []Spec, req *Request) ([]File, error) {
	// Generators are independent processes (or one in process): run them
	// concurrently, then merge in the given order.
	outs := make([][]File, len(gens))
	errs := make([]error, len(gens))
	var wg sync.WaitGroup
	for i, g := range gens {
		wg.Go(func() { outs[i], errs[i] = Run(ctx, g, req) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var all []File
	by := map[string]Spec{}
	for i, g := range gens {
		for _, f := range outs[i] {
			if prev, ok := by[f.Name]; ok {
				return nil, fmt.Errorf("generators %s and %s both write %s; drop one of them", prev, g, f.Name)
			}
			by[f.Name] = g
		}
		all = append(all, outs[i]...)
	}
	return all, nil
}

// runGoInProcess is protoc-gen-go's main without the process: same flags,
// same generator, so the output is byte-identical to the binary's.
func runGoInProcess(req *pluginpb.CodeGeneratorRequest) (*pluginpb.CodeGeneratorResponse, error) {
	var (
		flags   flag.FlagSet
		plugins = flags.String("plugins", "", "deprecated option")
		strip   = flags.Bool("experimental_strip_nonfunctional_codegen", false, "omit the descriptor so proto2/proto3 and editions outputs compare")
	)
	gen, err := protogen.Options{
		ParamFunc:                    flags.Set,
		InternalStripForEditionsDiff: strip,
	}.New(req)
	if err != nil {
		return nil, fmt.Errorf("generator %s@%s: %v", toolbin.GoPkg, toolbin.GoVersion, err)
	}
	if *plugins != "" {
		gen.Error(errors.New("protoc-gen-go: plugins are not supported; use 'protoc --go-grpc_out=...' to generate gRPC"))
		return gen.Response(), nil
	}
	for _, f := range gen.Files {
		if f.Generate {
			gengo.GenerateFile(gen, f)
		}
	}
	gen.SupportedFeatures = gengo.SupportedFeatures
	gen.SupportedEditionsMinimum = gengo.SupportedEditionsMinimum
	gen.SupportedEditionsMaximum = gengo.SupportedEditionsMaximum
	return gen.Response(), nil
}

func runBinary(ctx context.Context, gen Spec, req *pluginpb.CodeGeneratorRequest) (*pluginpb.CodeGeneratorResponse, error) {
	bin := gen.Binary
	if bin == "" {
		var err error
		bin, err = toolbin.Build(ctx, gen.Pkg, gen.Version)
		if err != nil {
			return nil, err
		}
	}
	in, err := proto.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("generator %s: encoding request: %v", gen, err)
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("generator %s (%s) failed: %s", gen, bin, msg)
	}
	resp := new(pluginpb.CodeGeneratorResponse)
	if err := proto.Unmarshal(stdout.Bytes(), resp); err != nil {
		return nil, fmt.Errorf("generator %s (%s) wrote an unreadable response: %v; is it a protoc plugin?", gen, bin, err)
	}
	return resp, nil
}

// checkFeatures refuses output made from input the plugin did not declare
// it understands, as protoc does: old protoc-gen-go ignores editions and
// turns proto3 optional fields into code that panics at run time.
func checkFeatures(gen Spec, req *pluginpb.CodeGeneratorRequest, resp *pluginpb.CodeGeneratorResponse) error {
	feats := pluginpb.CodeGeneratorResponse_Feature(resp.GetSupportedFeatures())
	if files := usesProto3Optional(req); len(files) > 0 && feats&pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL == 0 {
		return fmt.Errorf("generator %s does not support proto3 optional fields, used in %s; use a newer generator", gen, strings.Join(files, ", "))
	}
	if files := usesEditions(req); len(files) > 0 && feats&pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS == 0 {
		return fmt.Errorf("generator %s does not support editions, used in %s; it needs proto2 or proto3 input", gen, strings.Join(files, ", "))
	}
	return nil
}
