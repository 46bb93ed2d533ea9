package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestEveryFindingIDListed: every finding id a stage declares (a string
// constant or a Rule: literal of the form stage.name in non-test code)
// is in the registry `protolift rules` lists, or is a Go rule's name.
func TestEveryFindingIDListed(t *testing.T) {
	listed := map[string]bool{}
	for _, r := range ruleRows() {
		listed[r.id] = true
	}
	for _, f := range findings {
		for _, a := range f.Aliases {
			listed[a] = true
		}
	}
	id := regexp.MustCompile(`^(proto|gen|mod|protolift)\.[a-z][a-z0-9_.-]*$`)
	root := filepath.Join("..", "..")
	var missing []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n == "testdata" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lits []ast.Expr
			switch n := n.(type) {
			case *ast.ValueSpec:
				lits = n.Values
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Rule" {
					lits = []ast.Expr{n.Value}
				}
			}
			for _, l := range lits {
				b, ok := l.(*ast.BasicLit)
				if !ok || b.Kind != token.STRING {
					continue
				}
				s, _ := strconv.Unquote(b.Value)
				if id.MatchString(s) && !listed[s] {
					missing = append(missing, p+": "+s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("finding ids not in the registry (cmd/protolift/findings.go):\n%s", strings.Join(missing, "\n"))
	}
}

// TestFindingIDScheme: every id `protolift rules` lists follows one scheme,
// stage-or-family.group[.name]: lower-case segments joined by dots, words
// inside a segment joined by underscores (no hyphens), the first segment
// one of the Go rule families or a stage. Former spellings stay accepted
// as aliases and are named in the doc.
func TestFindingIDScheme(t *testing.T) {
	scheme := regexp.MustCompile(`^(protov1|grpc|proto|gen|mod|protolift)(\.[a-z0-9]+(_[a-z0-9]+)*)+$`)
	for _, r := range ruleRows() {
		if !scheme.MatchString(r.id) {
			t.Errorf("id %q does not follow stage.group.name (dots between segments, underscores inside)", r.id)
		}
	}
}
