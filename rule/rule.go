// Package rule defines what a protolift Go rewrite rule is and the Pass a
// rule runs with: one decorated file, its type information, and ways to
// record changes and diagnostics. Rules match on types.Objects from the
// loaded package, never on how an identifier is spelled, so aliased
// imports, dot imports and shadowed names are handled by construction.
package rule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"golang.org/x/tools/go/packages"

	"github.com/protolift/protolift/internal/change"
)

// Rule is one rewrite (or one family of findings) with a stable name.
type Rule struct {
	// Name is stable: users select rules by it (`-rules=protov1.jsonpb`).
	// The part before the first dot is the group.
	Name string
	// Doc is the one-line description `protolift rules` prints.
	Doc string
	// Risk is the highest risk of the changes the rule makes.
	Risk change.Risk
	// Imports are the import paths (or path prefixes ending in "/") whose
	// presence in a file makes the rule worth running there. The engine's
	// syntactic pre-filter uses them to skip packages without type-checking.
	Imports []string
	// Repairs are regular expressions over type-checker messages that
	// this rule exists to fix: errors that regenerating code introduces in
	// hand-written code (a server type missing the method
	// mustEmbedUnimplementedFooServer, say). A package whose every error
	// matches an enabled rule's Repairs is rewritten instead of refused.
	Repairs []string
	// Run rewrites one file.
	Run func(*Pass)
}

// GRPCGenerated is a pseudo import path for Rule.Imports: files that
// import, or sit in, a Go package holding protoc-gen-go-grpc output (a
// *_grpc.pb.go file) are worth running the rule on.
const GRPCGenerated = "protolift:grpc-generated"

// Pass is the state of one rule running on one file.
type Pass struct {
	Rule *Rule
	// Program holds the packages loaded with Pkg and their module, for
	// rules that need every caller of a function (nil in some tests).
	Program *Program
	Pkg     *packages.Package
	File    *dst.File
	AstFile *ast.File
	Dec     *decorator.Decorator
	Fset    *token.FileSet
	Path    string // absolute file name
	Src     []byte // original content

	// Sink receives what the pass records; the engine owns it.
	Sink Sink
	// Options are rule settings from the command line
	// (`-grpc-server=unsafe` sets "grpc.server"), keyed by name.
	Options map[string]string
	// Types holds the types of expressions rules built (see SetType).
	// The engine hands the same map to every rule running on a file, so a
	// later rule sees what an earlier one recorded.
	Types map[dst.Expr]types.Type
	// Enabled holds the names of the rules enabled in this run, for a
	// rule whose output leaves work to a later rule.
	Enabled map[string]bool
	// FileIndex is the file's shared inspectors (see Pass.Inspector);
	// the engine hands the same one to every rule running on a file.
	FileIndex *FileIndex

	names *Names // see Names
}

// RuleEnabled reports whether the rule called name runs in this run
// (after this one, if it comes later in the table).
func (p *Pass) RuleEnabled(name string) bool { return p.Enabled[name] }

// Option returns the rule setting called name, or "" when it is unset.
func (p *Pass) Option(name string) string { return p.Options[name] }

// Sink collects what rules record for one file.
type Sink interface {
	Edit(change.Edit)
	Diagnose(change.Diagnostic)
	// Require records that the rewritten file needs module path at
	// version or later.
	Require(path, version string)
	// Alias asks the restorer to import path under name in this file.
	Alias(path, name string)
}

// Info is the type information of the package being rewritten.
func (p *Pass) Info() *types.Info { return p.Pkg.TypesInfo }

// Ast returns the original go/ast node a dst node was decorated from, or
// nil for nodes a rule created.
func (p *Pass) Ast(n dst.Node) ast.Node { return p.Dec.Ast.Nodes[n] }

// QualifiedObjectOf is ObjectOf, and also answers for a qualified
// identifier a rule built or copied (a clone of an argument moved into a
// new expression), which has no node of its own in the type information:
// Name in the package of its Path, found among the packages the package
// imports. A rule that renames references (not one that reasons about
// the code around them) uses it, so that it treats the copy as the next
// run would, where the copy is original code.
func (p *Pass) QualifiedObjectOf(id *dst.Ident) types.Object {
	if p.Ast(id) != nil || id.Path == "" || p.Pkg == nil || p.Pkg.Types == nil {
		return p.ObjectOf(id)
	}
	for _, imp := range p.Pkg.Types.Imports() {
		if imp.Path() == id.Path {
			return imp.Scope().Lookup(id.Name)
		}
	}
	return nil
}

// ObjectOf returns the object an identifier refers to or defines. For a
// dst.Ident that replaced a qualified selector (pkg.Name), it is the
// object of Name.
func (p *Pass) ObjectOf(id *dst.Ident) types.Object { return objectOf(p.Info(), p.Ast(id)) }

// objectOf is ObjectOf for the original node an identifier was decorated
// from (an *ast.Ident, or the *ast.SelectorExpr of a qualified name).
func objectOf(info *types.Info, a ast.Node) types.Object {
	if info == nil {
		return nil
	}
	switch n := a.(type) {
	case *ast.Ident:
		if o := info.Uses[n]; o != nil {
			return o
		}
		return info.Defs[n]
	case *ast.SelectorExpr:
		if o := info.Uses[n.Sel]; o != nil {
			return o
		}
		if sel := info.Selections[n]; sel != nil {
			return sel.Obj()
		}
	}
	return nil
}

// SetType records the type of an expression a rule built, so that later
// rules asking TypeOf about it (to decide whether a message needs
// protoadapt wrapping, say) get an answer instead of nil.
func (p *Pass) SetType(e dst.Expr, t types.Type) {
	if p.Types == nil {
		p.Types = map[dst.Expr]types.Type{}
	}
	p.Types[e] = t
}

// TypeOf returns the type of an original expression, or of one a rule
// built and recorded with SetType, or nil.
func (p *Pass) TypeOf(e dst.Expr) types.Type {
	if t, ok := p.Types[e]; ok {
		return t
	}
	n, ok := p.Ast(e).(ast.Expr)
	if !ok {
		return nil
	}
	return p.Info().TypeOf(n)
}

// Pos returns the original position of a node, or the zero Position for
// nodes a rule created.
func (p *Pass) Pos(n dst.Node) (start, end change.Position) {
	a := p.Ast(n)
	if a == nil {
		return
	}
	return p.position(a.Pos()), p.position(a.End())
}

func (p *Pass) position(pos token.Pos) change.Position {
	if !pos.IsValid() {
		return change.Position{}
	}
	tp := p.Fset.Position(pos)
	return change.Position{Line: tp.Line, Col: tp.Column, Offset: tp.Offset}
}

// Changed records that the rule rewrote the original node n (call it
// before replacing n, while its position is still known).
func (p *Pass) Changed(n dst.Node, risk change.Risk, msg string) {
	s, e := p.Pos(n)
	if p.FileIndex != nil {
		p.FileIndex.Edited()
	}
	p.Sink.Edit(change.Edit{Rule: p.Rule.Name, Risk: risk, Message: msg, Start: s, End: e})
}

// Report records a diagnostic at node n: something the rule will not
// rewrite, with the reason and, where useful, a suggested replacement.
func (p *Pass) Report(n dst.Node, risk change.Risk, msg, suggestion string) {
	s, e := p.Pos(n)
	p.Sink.Diagnose(change.Diagnostic{Path: p.Path, Start: s, End: e, Rule: p.Rule.Name, Risk: risk, Message: msg, Suggestion: suggestion})
}

// ReportAst is Report for an original go/ast node (used for nodes the
// decorator merged away, such as import specs).
func (p *Pass) ReportAst(n ast.Node, risk change.Risk, msg, suggestion string) {
	p.Sink.Diagnose(change.Diagnostic{Path: p.Path, Start: p.position(n.Pos()), End: p.position(n.End()), Rule: p.Rule.Name, Risk: risk, Message: msg, Suggestion: suggestion})
}

// Require records a minimum module version the rewritten code needs.
func (p *Pass) Require(path, version string) { p.Sink.Require(path, version) }
