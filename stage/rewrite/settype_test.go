package rewrite

import (
	"context"
	"go/types"
	"os"
	"path/filepath"
	"testing"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// TestSetTypeSharedBetweenRules checks that a type one rule records for a
// node it built is what a later rule on the same file gets from TypeOf.
func TestSetTypeSharedBetweenRules(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a.go":   "package m\n\nimport \"fmt\"\n\nvar X = fmt.Sprint(1)\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var built *dst.Ident
	var seen types.Type
	build := &rule.Rule{Name: "test.build", Imports: []string{"fmt"}, Run: func(p *rule.Pass) {
		dst.Inspect(p.File, func(n dst.Node) bool {
			if c, ok := n.(*dst.CallExpr); ok && built == nil {
				p.Changed(c, change.Safe, "argument replaced")
				built = dst.NewIdent("X")
				p.SetType(built, types.Typ[types.String])
				c.Args[0] = built
			}
			return true
		})
	}}
	read := &rule.Rule{Name: "test.read", Imports: []string{"fmt"}, Run: func(p *rule.Pass) {
		if built != nil {
			seen = p.TypeOf(built)
		}
	}}
	if _, err := Run(context.Background(), Options{Dir: dir, Rules: []*rule.Rule{build, read}}); err != nil {
		t.Fatal(err)
	}
	if built == nil || seen != types.Typ[types.String] {
		t.Fatalf("later rule's TypeOf(built ident) = %v, want string", seen)
	}
}
