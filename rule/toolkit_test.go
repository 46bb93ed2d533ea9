package rule

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"golang.org/x/tools/go/packages"
)

// testPass type-checks one file and returns a Pass over it.
func testPass(t *testing.T, src string) *Pass {
	t.Helper()
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, "a.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("a", fset, []*ast.File{af}, info)
	if err != nil {
		t.Fatal(err)
	}
	dec := decorator.NewDecorator(fset)
	f, err := dec.DecorateFile(af)
	if err != nil {
		t.Fatal(err)
	}
	return &Pass{Pkg: &packages.Package{Types: pkg, TypesInfo: info, Fset: fset}, File: f, AstFile: af, Dec: dec, Fset: fset}
}

// The expressions assigned to _ in f, in order, as dst and as go/ast.
func blankValues(p *Pass) (ds []dst.Expr, as []ast.Expr) {
	ast.Inspect(p.AstFile, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok && len(a.Lhs) == 1 {
			if id, ok := a.Lhs[0].(*ast.Ident); ok && id.Name == "_" {
				as = append(as, a.Rhs[0])
				ds = append(ds, p.Dec.Dst.Nodes[a.Rhs[0]].(dst.Expr))
			}
		}
		return true
	})
	return
}

// TestSideEffectFree checks the one purity analysis on each shape, and
// that its dst and go/ast entry points agree (issue 9 #11: the same shape
// got different answers in different rules).
func TestSideEffectFree(t *testing.T) {
	p := testPass(t, `package a

type T struct{ D *int }

func (T) GetD() int { return 0 }
func (T) D2() int   { return 0 }

type myInt int

const c = 3

func f(x any, s []int, m map[string]int, ch chan int, t T, pt *T, g func() int) {
	_ = x.(T).D     // free: a type assertion panics the same way x.D would
	_ = x.(*T).D    // free
	_ = *t.D        // free
	_ = s[1:c]      // free
	_ = m["k"]      // free
	_ = -len(s) + c // free
	_ = myInt(c)    // free: a conversion
	_ = myInt(s[0]) // free
	_ = &T{D: nil}  // free: an allocation of equal content
	_ = new(int)    // free
	_ = t.GetD()    // free: a getter
	_ = pt.GetD()   // free
	_ = func() {}   // free
	_ = g()         // not free
	_ = t.D2()      // not free
	_ = <-ch        // not free
	_ = myInt(g())  // not free
	_ = T{D: new(int)}.GetD()
	_ = s[g()]      // not free
	_ = append(s, 1)
	_ = x.(T).D2()
}
`)
	want := []bool{true, true, true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, true, false, false, false}
	ds, as := blankValues(p)
	if len(ds) != len(want) {
		t.Fatalf("%d expressions, want %d", len(ds), len(want))
	}
	for i := range ds {
		src := types.ExprString(as[i])
		if got := p.SideEffectFree(ds[i]); got != want[i] {
			t.Errorf("SideEffectFree(%s) = %v, want %v", src, got, want[i])
		}
		if got := SideEffectFreeAst(p.Fset, p.Info(), as[i]); got != want[i] {
			t.Errorf("SideEffectFreeAst(%s) = %v, want %v", src, got, want[i])
		}
	}
	// Built syntax (no type information) gets the same structural answer.
	if !p.SideEffectFree(Sel(&dst.TypeAssertExpr{X: dst.NewIdent("x"), Type: dst.NewIdent("T")}, "D")) {
		t.Error("built x.(T).D is not free")
	}
	if p.SideEffectFree(Call(dst.NewIdent("g"))) {
		t.Error("built g() is free")
	}
}

// TestNames checks the one fresh-name allocator.
func TestNames(t *testing.T) {
	p := testPass(t, `package a

import "strings"

func f(err error, b2 int) {
	_ = b2
	_ = func(b string) { _ = strings.ToUpper(b) }
}

func g() {
	_ = 1
}
`)
	ds, _ := blankValues(p)
	inF, lit, inG := ds[0], ds[1].(*dst.FuncLit), ds[3]
	nm := p.Names()
	if nm != p.Names() {
		t.Fatal("Names is not one allocator per pass")
	}
	for _, c := range []struct {
		at   dst.Node
		cand []string
		want string
	}{
		{inF, []string{"err"}, "err2"},                 // a parameter
		{inF, []string{"err"}, "err3"},                 // err2 handed out already
		{inF, []string{"b", "data"}, "data"},           // b is the literal's parameter
		{inF, []string{"b", "data"}, "data2"},          // b2 is used, data handed out
		{inF, []string{"strings"}, "strings2"},         // an import
		{inG, []string{"err"}, "err"},                  // another function
		{inG, []string{"strings", "s"}, "s"},           // imports count everywhere
		{Call(dst.NewIdent("x")), []string{"f"}, "f2"}, // built syntax: the whole file
	} {
		if got := nm.Fresh(c.at, c.cand...); got != c.want {
			t.Errorf("Fresh(%v) = %s, want %s", c.cand, got, c.want)
		}
	}
	// FreshIn avoids only what the wrapped node spells (and imports).
	if got := nm.FreshIn(lit, "err"); got != "err" {
		t.Errorf("FreshIn(err) = %s, want err", got)
	}
	if got := nm.FreshIn(lit, "b", "strings"); got != "b2" {
		t.Errorf("FreshIn(b, strings) = %s, want b2", got)
	}
	// A qualified reference a rule wrote counts as its package's name.
	q := Call(QualifiedIdent("google.golang.org/protobuf/encoding/protojson", "Marshal"))
	if got := nm.FreshIn(q, "protojson"); got != "protojson2" {
		t.Errorf("FreshIn(protojson) = %s, want protojson2", got)
	}
}
