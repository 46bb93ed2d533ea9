package protov1

import (
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// GeneratorCamelCase replaces calls of the two pure naming functions of
// github.com/golang/protobuf/protoc-gen-go/generator with a helper the
// package gets its own copy of:
//
//	generator.CamelCase(s)         →  protoCamelCase(s)
//	generator.CamelCaseSlice(elem) →  protoCamelCase(strings.Join(elem, "_"))
//
// Code that is no protoc plugin uses them to predict the Go names
// protoc-gen-go gives messages and fields (protoc-gen-star's
// PGGUpperCamelCase). The generator package has no APIv2 counterpart
// (protogen precomputes GoName and keeps its algorithm internal, and that
// one also turns '.' into '_'), so protov1.generator reports it as a
// plugin to rebuild on protogen; these two functions only compute a
// string. The helper is the same algorithm, unchanged from v1.0 to v1.5.4
// (TestGeneratorCamelCaseHelperMatchesV1 compares it with the real
// function on every string of a generated set): an initial '_' becomes
// 'X', an '_' before a lower-case letter is dropped, a lower-case letter
// that starts a word is upper-cased, and every other byte is kept.
//
// Dropping the import drops what linking the generator package did: since
// golang/protobuf v1.4 its init prints a deprecation warning on stderr
// (the program stops printing it), and through its imports it registers
// descriptor.proto and plugin.proto. A call is refused when the package
// would no longer link those registrations through another import: a
// lookup by name (protoregistry, proto.MessageType) could stop finding
// them. Function values of CamelCase are left to protov1.generator.
var GeneratorCamelCase = &rule.Rule{
	Name:    "protov1.generator.camelcase",
	Doc:     "generator.CamelCase / CamelCaseSlice → a helper with the same algorithm",
	Risk:    change.Safe,
	Imports: []string{v1Generator},
	Run:     runGeneratorCamelCase,
}

var camelCaseHelper = &rule.Helper{
	Name: "protoCamelCase",
	Decl: camelCaseHelperDecl,
}

const camelCaseHelperDecl = `// protoCamelCase is the Go name protoc-gen-go derives from a protobuf
// name (github.com/golang/protobuf/protoc-gen-go/generator.CamelCase):
// an initial '_' becomes 'X', an '_' followed by a lower-case letter is
// dropped, a lower-case letter starting a word is upper-cased. (Written
// by protolift: the generator package is deprecated.)
func protoCamelCase(s string) string {
	out := make([]byte, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 0 && c == '_':
			out = append(out, 'X')
			continue
		case c == '_' && i+1 < len(s) && 'a' <= s[i+1] && s[i+1] <= 'z':
			continue
		case '0' <= c && c <= '9':
			out = append(out, c)
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		out = append(out, c)
		for i+1 < len(s) && 'a' <= s[i+1] && s[i+1] <= 'z' {
			i++
			out = append(out, s[i])
		}
	}
	return string(out)
}`

func runGeneratorCamelCase(p *rule.Pass) {
	for call := range rule.Nodes[*dst.CallExpr](p.Inspector()) {
		f := p.Callee(call)
		if f == nil || f.Pkg() == nil || f.Pkg().Path() != v1Generator || len(call.Args) != 1 {
			continue
		}
		if f.Name() != "CamelCase" && f.Name() != "CamelCaseSlice" {
			continue
		}
		if missing := registrationsOnlyThroughGenerator(p); missing != "" {
			p.Report(call, change.Manual, "not rewritten: generator."+f.Name()+" is a pure function, but the generator package is this package's only link to "+missing+", whose types it registers; a lookup by name would stop finding them once the import goes", "")
			continue
		}
		name := p.Helper(camelCaseHelper)
		if name == "" {
			continue // protov1.generator reports it
		}
		arg := call.Args[0]
		msg := "generator.CamelCase → " + name + " (the same algorithm, in this package)"
		if f.Name() == "CamelCaseSlice" {
			arg = rule.Call(rule.QualifiedIdent("strings", "Join"), arg, &dst.BasicLit{Kind: token.STRING, Value: `"_"`})
			msg = "generator.CamelCaseSlice(elem) → " + name + "(strings.Join(elem, \"_\")) (the same algorithm, in this package)"
		}
		p.Changed(call, change.Safe, msg)
		call.Fun = dst.NewIdent(name)
		call.Args[0] = arg
	}
}

// registrationsOnlyThroughGenerator names the descriptor.proto or
// plugin.proto package the pass's package links only through the
// generator package, or "".
func registrationsOnlyThroughGenerator(p *rule.Pass) string {
	reached := map[string]bool{}
	var walk func(pkg *types.Package)
	walk = func(pkg *types.Package) {
		if pkg == nil || reached[pkg.Path()] || pkg.Path() == v1Generator {
			return
		}
		reached[pkg.Path()] = true
		for _, im := range pkg.Imports() {
			walk(im)
		}
	}
	for _, im := range p.Pkg.Types.Imports() {
		walk(im)
	}
	for _, want := range [][2]string{
		{"google.golang.org/protobuf/types/descriptorpb", v1WKTModule + "/protoc-gen-go/descriptor"},
		{"google.golang.org/protobuf/types/pluginpb", v1WKTModule + "/protoc-gen-go/plugin"},
	} {
		if !reached[want[0]] && !reached[want[1]] {
			return want[0]
		}
	}
	return ""
}
