package main

import (
	"strings"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/pipeline"
	"github.com/protolift/protolift/protoplugin"
	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/stage/gomod"
	"github.com/protolift/protolift/stage/protofile"
	"github.com/protolift/protolift/stage/regen"
	"github.com/protolift/protolift/stage/rewrite"
)

// finding is a finding id with the risks its edits and diagnostics carry
// and a one-line doc.
type finding struct {
	ID    string
	Risks []change.Risk
	Doc   string
	// Aliases are former ids of the same finding.
	Aliases []string
}

// Risk is the finding's risks, joined with "/" (most cautious last).
func (f finding) Risk() string {
	var s []string
	for _, r := range f.Risks {
		s = append(s, r.String())
	}
	return strings.Join(s, "/")
}

const (
	safe   = change.Safe
	review = change.Review
	manual = change.Manual
)

// findings is the one registry of every finding id that is not a Go
// rule's: the proto stage's (and the plugin's hazards, which share
// them), the gen and mod stages', and protolift's own about the run. The
// ids are the stages' constants; `protolift rules` lists them after the
// Go rules, and TestEveryFindingIDListed fails on an id left out.
var findings = []finding{
	{ID: protofile.RuleParse, Risks: []change.Risk{review, manual}, Doc: "a .proto file does not parse or compile (nothing is written), or uses an edition newer than the pinned parser knows"},
	{ID: protofile.RuleRead, Risks: []change.Risk{manual}, Doc: "a .proto file cannot be read"},
	{ID: protofile.RuleReserved, Risks: []change.Risk{safe, manual}, Doc: "reserved statements rewritten the way current compilers accept them; reserved numbers and names still in use, field numbers 19000-19999 and impossible ranges reported",
		Aliases: []string{"proto.reserved-name", "proto.reserved-range"}},
	{ID: protofile.RuleGoPackage, Risks: []change.Risk{safe, review, manual}, Doc: "option go_package added or completed (protoc-gen-go v1.26+ refuses files without one); the plugin reports it missing",
		Aliases: []string{"proto.go-package-missing"}},
	{ID: protofile.RuleImport, Risks: []change.Risk{manual}, Doc: "an import no declared root, module directory or standard import provides"},
	{ID: protofile.RuleConflict, Risks: []change.Risk{review, manual}, Doc: "two .proto files define the same full name: linking both panics at init with google.golang.org/protobuf v1.26+"},
	{ID: protofile.RuleEditions, Risks: []change.Risk{review, manual}, Doc: "-edition=2023: a file converted to Editions and proven equivalent, or why it was not; -prove: differences found"},
	{ID: protoplugin.GroupRule, Risks: []change.Risk{review, manual}, Doc: "plugin: a proto2 group, which Editions turn into a delimited message field",
		Aliases: []string{"proto.editions-group"}},
	{ID: protoplugin.RequiredRule, Risks: []change.Risk{review}, Doc: "plugin: a proto2 required field (LEGACY_REQUIRED under Editions)",
		Aliases: []string{"proto.editions-required"}},
	{ID: protoplugin.EnumJSONRule, Risks: []change.Risk{review}, Doc: "plugin: a proto2 enum whose Go type loses UnmarshalJSON under Editions",
		Aliases: []string{"proto.editions-enum-json"}},
	{ID: protoplugin.JavaUTF8Rule, Risks: []change.Risk{review}, Doc: "plugin: option java_string_check_utf8, not allowed under Editions",
		Aliases: []string{"proto.editions-java-utf8"}},
	{ID: protoplugin.WeakImportRule, Risks: []change.Risk{review}, Doc: "plugin: a weak import, not supported in edition 2024",
		Aliases: []string{"proto.editions-weak-import"}},
	{ID: protoplugin.CtypeRule, Risks: []change.Risk{review}, Doc: "plugin: a field with ctype, which edition 2024 rejects",
		Aliases: []string{"proto.editions-ctype"}},
	{ID: protoplugin.GoNameRule, Risks: []change.Risk{manual}, Doc: "plugin: two declarations that generate the same Go identifier",
		Aliases: []string{"proto.go-name-collision"}},
	{ID: regen.RegenerateRule, Risks: []change.Risk{safe, review, manual}, Doc: "legacy generated Go code regenerated with the current generators, or why it was not"},
	{ID: regen.GRPCSplitRule, Risks: []change.Risk{review}, Doc: "plugins=grpc output split into a _grpc.pb.go file",
		Aliases: []string{"gen.grpc-split"}},
	{ID: regen.SourceRule, Risks: []change.Risk{manual}, Doc: "generated code whose .proto source is not in the module",
		Aliases: []string{"gen.source-missing"}},
	{ID: regen.ScriptRule, Risks: []change.Risk{manual}, Doc: "a generation step (script, Makefile, buf.gen.yaml) that asks for the legacy generators or plugins=grpc"},
	{ID: regen.CompileRule, Risks: []change.Risk{manual}, Doc: "a .proto source that does not compile under the roots protolift found"},
	{ID: regen.GeneratorRule, Risks: []change.Risk{manual}, Doc: "regeneration failed: a generator could not be built or run"},
	{ID: gomod.RequireRule, Risks: []change.Risk{safe}, Doc: "go.mod requirement added or raised for the rewritten and regenerated code"},
	{ID: gomod.TidyRule, Risks: []change.Risk{safe, review}, Doc: "go mod tidy run on the staged go.mod, or why it failed"},
	{ID: gomod.AdvisoryRule, Risks: []change.Risk{manual}, Doc: "a required module version affected by a known advisory"},
	{ID: gomod.GoDirectiveRule, Risks: []change.Risk{review}, Doc: "the go directive had to move up for the new requirements"},
	{ID: gomod.UnmetRule, Risks: []change.Risk{manual}, Doc: "a requirement left out because no release fits the go directive"},
	{ID: gomod.BehaviourRule, Risks: []change.Risk{review}, Doc: "documented behaviour changes between the old and the new grpc-go"},
	{ID: gomod.KeptRule, Risks: []change.Risk{review}, Doc: "go.mod still requires github.com/golang/protobuf after the migration, with the reason"},
	{ID: pipeline.RaiseRule, Risks: []change.Risk{manual}, Doc: "a version raise withdrawn because the allowed go directive cannot have it"},
	{ID: rewrite.VerifyRule, Risks: []change.Risk{manual}, Doc: "changes withdrawn because the result did not type-check, and packages skipped because they did not"},
	{ID: rewrite.GeneratedRule, Risks: []change.Risk{manual}, Doc: "legacy generated code the Go stage does not edit (the gen stage regenerates it)"},
	{ID: rewrite.BuildTagsRule, Risks: []change.Risk{review, manual}, Doc: "files loaded under extra build constraints, or left out because of them"},
	{ID: rewrite.SkippedRule, Risks: []change.Risk{review, manual}, Doc: "packages or files the Go stage skipped, and why"},
	{ID: pipeline.WithdrawnRule, Risks: []change.Risk{review}, Doc: "a file's changes withdrawn because they need a module version the allowed go directive cannot have"},
}

// ruleRow is one row of `protolift rules`.
type ruleRow struct{ id, risk, doc string }

// ruleRows are the Go rules in run order, then every other finding id.
func ruleRows() []ruleRow {
	var out []ruleRow
	for _, r := range registry.All() {
		out = append(out, ruleRow{r.Name, r.Risk.String(), r.Doc})
	}
	for _, f := range findings {
		doc := f.Doc
		if len(f.Aliases) > 0 {
			doc += " (formerly " + strings.Join(f.Aliases, ", ") + ")"
		}
		out = append(out, ruleRow{f.ID, f.Risk(), doc})
	}
	return out
}
