// Package protoplugin is protoc-gen-protolift: a protoc/buf plugin that
// writes a migration report instead of code. It lists the .proto hazards
// it can see in the request and compares the Go API that an old and a new
// set of generators produce from that same request.
//
// With buf (buf.gen.yaml v2; strategy: all gives one report for all
// files, and the plugin splits the comparison by Go package itself):
//
//	version: v2
//	plugins:
//	  - local: protoc-gen-protolift
//	    out: report
//	    strategy: all
//	    opt:
//	      - old=github.com/golang/protobuf/protoc-gen-go@v1.3.5:plugins=grpc
//	      - fail_on=used
//
// With protoc: protoc --protolift_out=old=…,fail_on=used:report x.proto.
// Parameters are described at Params.
package protoplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/protolift/protolift/diffcheck"
	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/modroot"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// Report file names, relative to the plugin's output directory.
const (
	MarkdownName = "protolift-report.md"
	JSONName     = "protolift-report.json"
)

// Report is what the plugin writes.
type Report struct {
	Files   []string            `json:"files"`
	Old     []string            `json:"old"`
	New     []string            `json:"new"`
	Hazards []change.Diagnostic `json:"hazards"`
	// HazardsError says why the hazard scan could not run.
	HazardsError string            `json:"hazards_error,omitempty"`
	API          *diffcheck.Report `json:"api,omitempty"`
	// APIError says why the API comparison could not run; the hazards are
	// still reported, and generation fails only when fail_on asks for a
	// comparison (breaking or used).
	APIError string `json:"api_error,omitempty"`
	// Migration is the migrate= preview; MigrationError says why it did
	// not run.
	Migration      *Migration `json:"migration,omitempty"`
	MigrationError string     `json:"migration_error,omitempty"`
}

// Run is the plugin's main: request on stdin, response on stdout.
func Run() {
	if err := run(context.Background(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "protoc-gen-protolift:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, in io.Reader, out io.Writer) error {
	b, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading the request: %v", err)
	}
	req := &pluginpb.CodeGeneratorRequest{}
	if err := proto.Unmarshal(b, req); err != nil {
		return fmt.Errorf("stdin is not a CodeGeneratorRequest (run me through protoc --protolift_out or buf generate): %v", err)
	}
	resp := Generate(ctx, req)
	ob, err := proto.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = out.Write(ob)
	return err
}

// Generate computes the response for a request. Only fail_on fails it:
// with breaking or used, when the comparison finds what it names or when
// the comparison did not run.
func Generate(ctx context.Context, req *pluginpb.CodeGeneratorRequest) *pluginpb.CodeGeneratorResponse {
	resp := &pluginpb.CodeGeneratorResponse{
		SupportedFeatures: proto.Uint64(uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL | pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)),
		MinimumEdition:    proto.Int32(int32(descriptorpb.Edition_EDITION_PROTO2)),
		MaximumEdition:    proto.Int32(int32(descriptorpb.Edition_EDITION_2024)),
	}
	params, err := ParseParams(req.GetParameter())
	if err != nil {
		resp.Error = proto.String(err.Error())
		return resp
	}
	rep := &Report{Files: req.FileToGenerate}
	for _, g := range params.Old {
		rep.Old = append(rep.Old, g.String())
	}
	for _, g := range params.New {
		rep.New = append(rep.New, g.String())
	}
	hz, err := Hazards(req)
	if err != nil {
		rep.HazardsError = err.Error()
	}
	rep.Hazards = hz
	api, err := compareAPI(ctx, params, req)
	if err != nil {
		rep.APIError = err.Error()
	}
	rep.API = api
	if params.Migrate != "none" {
		rep.Migration, err = preview(ctx, params)
		if err != nil {
			rep.MigrationError = err.Error()
		}
	}

	if params.Report != "json" {
		var buf bytes.Buffer
		rep.Markdown(&buf)
		resp.File = append(resp.File, &pluginpb.CodeGeneratorResponse_File{Name: proto.String(MarkdownName), Content: proto.String(buf.String())})
	}
	if params.Report != "md" {
		jb, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			resp.Error = proto.String(err.Error())
			return resp
		}
		resp.File = append(resp.File, &pluginpb.CodeGeneratorResponse_File{Name: proto.String(JSONName), Content: proto.String(string(jb) + "\n")})
	}
	if msg := rep.failure(params.FailOn); msg != "" {
		resp.Error = proto.String(msg)
	}
	return resp
}

// maxFailureLines caps the changes listed in a failure's text: buf and
// protoc print it whole, and a regenerated legacy package can have
// hundreds of breaking changes (every XXX_ method).
const maxFailureLines = 20

// failure returns the error text fail_on asks for, or "". A comparison
// that did not run fails any fail_on other than never: a gate that cannot
// look must not pass. buf and protoc drop a failing plugin's files, so the
// text carries the summary itself: the breaking changes (those this module
// uses first, each use with file:line:col), at most maxFailureLines.
func (r *Report) failure(failOn string) string {
	if failOn == diffcheck.FailOnNever {
		return ""
	}
	if r.API == nil {
		if r.APIError == "" {
			return ""
		}
		return fmt.Sprintf("protolift: fail_on=%s, but the API comparison did not run: %s", failOn, r.APIError)
	}
	if !r.API.Fails(failOn) {
		return ""
	}
	var used, unused []string
	for _, c := range r.API.Changes {
		if !c.Breaking {
			continue
		}
		what := fmt.Sprintf("%s %s %s (%s)", c.Op, c.Kind, c.Name, c.Package)
		broken := false
		for _, u := range c.Uses {
			if u.Breaks {
				used = append(used, fmt.Sprintf("%s: uses %s", u.Pos, what))
				broken = true
			}
		}
		if !broken {
			unused = append(unused, what)
		}
	}
	var b strings.Builder
	lines := used
	if failOn == diffcheck.FailOnUsed {
		fmt.Fprintf(&b, "protolift: %s the module uses (fail_on=used):", changes(r.API.UsedBreaking()))
	} else {
		fmt.Fprintf(&b, "protolift: %s (fail_on=breaking):", changes(r.API.Breaking()))
		lines = append(slices.Clip(used), unused...)
	}
	for i, l := range lines {
		if i == maxFailureLines {
			fmt.Fprintf(&b, "\n  ... and %d more", len(lines)-i)
			break
		}
		b.WriteString("\n  " + l)
	}
	b.WriteString("\n(the report files are not written when generation fails; fail_on=never writes them)")
	return b.String()
}

func changes(n int) string {
	if n == 1 {
		return "1 breaking API change"
	}
	return fmt.Sprintf("%d breaking API changes", n)
}

// compareAPI runs diffcheck on the request, cross-referencing uses in the
// Go module around ModuleDir when there is one. golang/protobuf's
// generators accept only one Go package per run, so a request spanning
// several packages (buf's strategy: all) is compared package by package.
func compareAPI(ctx context.Context, p Params, req *pluginpb.CodeGeneratorRequest) (*diffcheck.Report, error) {
	opts := diffcheck.Options{Old: p.Old, New: p.New}
	if mod, err := modroot.Find(p.ModuleDir); err == nil {
		opts.ModuleDir = mod.Dir
	}
	var merged *diffcheck.Report
	for _, group := range byGoPackage(req) {
		r := generate.Narrow(req, group)
		rep, err := diffcheck.RunRequest(ctx, opts, r)
		if err != nil {
			return nil, fmt.Errorf("comparing %s: %w", strings.Join(group, ", "), err)
		}
		if merged == nil {
			merged = rep
			continue
		}
		merged.Protos = append(merged.Protos, rep.Protos...)
		merged.Packages = append(merged.Packages, rep.Packages...)
		merged.Changes = append(merged.Changes, rep.Changes...)
		merged.CrossReferenced = merged.CrossReferenced && rep.CrossReferenced
	}
	return merged, nil
}

// byGoPackage groups the files to generate by their go_package import
// path, keeping the request's order.
func byGoPackage(req *pluginpb.CodeGeneratorRequest) [][]string {
	gp := map[string]string{}
	for _, f := range req.ProtoFile {
		ip, _, _ := strings.Cut(f.GetOptions().GetGoPackage(), ";")
		gp[f.GetName()] = ip
	}
	idx := map[string]int{}
	var out [][]string
	for _, name := range req.FileToGenerate {
		k := gp[name]
		if k == "" {
			k = "\x00" + name
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], name)
	}
	return out
}

// Markdown writes the report for people.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "# protolift report\n\n")
	fmt.Fprintf(w, "Files: %s\n\n", codeList(r.Files))
	fmt.Fprintf(w, "## .proto hazards\n\n")
	if r.HazardsError != "" {
		fmt.Fprintf(w, "The scan did not run: %s\n\n", cell(r.HazardsError))
	} else if len(r.Hazards) == 0 {
		fmt.Fprintf(w, "None found.\n\n")
	} else {
		fmt.Fprintf(w, "| Where | Rule | Risk | Finding | What to do |\n|---|---|---|---|---|\n")
		for _, h := range r.Hazards {
			fmt.Fprintf(w, "| `%s:%d:%d` | %s | %s | %s | %s |\n", h.Path, h.Start.Line, h.Start.Col, h.Rule, h.Risk, cell(h.Message), cell(h.Suggestion))
		}
		fmt.Fprintln(w)
	}
	if r.APIError != "" {
		fmt.Fprintf(w, "## Generated API: %s → %s\n\n", codeList(r.Old), codeList(r.New))
		fmt.Fprintf(w, "The comparison did not run: %s\n\n", cell(r.APIError))
	}
	if r.API != nil {
		if !r.API.CrossReferenced {
			fmt.Fprintf(w, "No Go module found at module_dir, so uses were not looked up.\n\n")
		}
		if err := r.API.Markdown(w); err != nil {
			fmt.Fprintf(w, "\n(report incomplete: %v)\n", err)
		}
	}
	if r.MigrationError != "" {
		fmt.Fprintf(w, "## Migration preview\n\nThe preview did not run: %s\n\n", cell(r.MigrationError))
	}
	if r.Migration != nil {
		r.Migration.Markdown(w)
	}
}

func codeList(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = "`" + x + "`"
	}
	return strings.Join(out, ", ")
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
