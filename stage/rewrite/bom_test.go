package rewrite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/stage/rewrite"
)

// TestKeepBOM: a file starting with a UTF-8 byte order mark keeps it (the
// printer dropped it), with LF and with CRLF line endings.
func TestKeepBOM(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	// The rule replaces calls of timeout with calls of deadline.
	r := &rule.Rule{Name: "test.bom", Risk: change.Safe, Imports: []string{"golang.org/x/net/context"}, Run: func(p *rule.Pass) {
		dstutil.Apply(p.File, func(c *dstutil.Cursor) bool {
			if call, ok := c.Node().(*dst.CallExpr); ok {
				if id, ok := call.Fun.(*dst.Ident); ok && id.Name == "timeout" && id.Path == "" {
					p.Changed(call, change.Safe, "timeout")
					id.Name = "deadline"
				}
			}
			return true
		}, nil)
	}}
	src := "package p\n\nimport \"golang.org/x/net/context\"\n\nfunc timeout() context.Context  { return nil }\nfunc deadline() context.Context { return nil }\n\nvar _ = timeout()\n"
	want := strings.Replace(src, "_ = timeout()", "_ = deadline()", 1)
	for _, eol := range []string{"\n", "\r\n"} {
		dir := tempModule(t, map[string]string{"p.go": bom + strings.ReplaceAll(src, "\n", eol)})
		res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Rules: []*rule.Rule{r}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Files) != 1 {
			t.Fatalf("eol %q: %d files changed, want 1", eol, len(res.Files))
		}
		if got, want := string(res.Files[0].New), bom+strings.ReplaceAll(want, "\n", eol); got != want {
			t.Errorf("eol %q: got\n%q\nwant\n%q", eol, got, want)
		}
	}
}
