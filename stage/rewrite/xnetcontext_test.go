package rewrite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestReuseXNetContext is grpc-web's wrapper_test.go: the file imports
// golang.org/x/net/context as context, a rule introduced
// context.WithTimeout, and the output gained `context1 "context"`. The
// existing import declares the identifier, so it is reused; one that only
// the standard package has still gets its own import.
func TestReuseXNetContext(t *testing.T) {
	src := "package p\n\nimport (\n\t\"time\"\n\n\t\"golang.org/x/net/context\"\n)\n\nfunc timeout() (context.Context, func()) { return nil, nil }\n\nfunc detached() context.Context { return nil }\n\nvar _ = time.Second\n"
	dir := tempModule(t, map[string]string{"p.go": src})
	// The rule replaces calls of the local helpers with what the standard
	// package offers: WithTimeout (x/net/context has it) and WithoutCancel
	// (it does not).
	r := &rule.Rule{Name: "test.context", Risk: change.Safe, Imports: []string{"golang.org/x/net/context"}, Run: func(p *rule.Pass) {
		dstutil.Apply(p.File, func(c *dstutil.Cursor) bool {
			call, ok := c.Node().(*dst.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*dst.Ident)
			if !ok || id.Path != "" {
				return true
			}
			bg := rule.Call(rule.QualifiedIdent("context", "Background"))
			switch id.Name {
			case "timeout":
				p.Changed(call, change.Safe, "timeout")
				c.Replace(rule.Call(rule.QualifiedIdent("context", "WithTimeout"), bg, rule.QualifiedIdent("time", "Second")))
			case "detached":
				p.Changed(call, change.Safe, "detached")
				c.Replace(rule.Call(rule.QualifiedIdent("context", "WithoutCancel"), bg))
			}
			return true
		}, nil)
	}}
	run := func(code string) string {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "use.go"), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Rules: []*rule.Rule{r}})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Files {
			if filepath.Base(f.Path) == "use.go" {
				return string(f.New)
			}
		}
		t.Fatalf("use.go not rewritten")
		return ""
	}

	got := run("package p\n\nimport (\n\t\"time\"\n\n\t\"golang.org/x/net/context\"\n)\n\nfunc f() {\n\tctx, cancel := timeout()\n\tdefer cancel()\n\tvar _ context.Context = ctx\n\t_ = time.Second\n}\n")
	if strings.Contains(got, `"context"`) || !strings.Contains(got, "context.WithTimeout(context.Background(), time.Second)") {
		t.Errorf("WithTimeout: want the x/net/context import reused, got:\n%s", got)
	}
	got = run("package p\n\nimport (\n\t\"time\"\n\n\t\"golang.org/x/net/context\"\n)\n\nfunc f() {\n\tctx, cancel := timeout()\n\tdefer cancel()\n\tvar _ context.Context = ctx\n\t_ = time.Second\n\t_ = detached()\n}\n")
	if !strings.Contains(got, `"context"`) || !strings.Contains(got, ".WithoutCancel(") {
		t.Errorf("WithoutCancel: want the standard package imported, got:\n%s", got)
	}
}
