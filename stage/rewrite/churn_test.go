package rewrite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/protolift/protolift/registry"
	"github.com/protolift/protolift/stage/rewrite"
)

// runAll migrates one file, p.go, with every rule in a module that
// requires the real golang/protobuf, and returns its new content.
func runAll(t *testing.T, src string) string {
	t.Helper()
	dir := tempModule(t, map[string]string{"p.go": src})
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Rules: registry.All()})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		return string(f.New)
	}
	t.Fatal("p.go not rewritten")
	return ""
}

// Lines no rule changed stay byte-identical, even where the printer
// would reformat them (a doc comment written before gofmt's Go 1.19
// doc-comment rules).
func TestUntouchedLinesStay(t *testing.T) {
	doc := "// Stamp converts t.\n// Example:\n//   ts, err := Stamp(time.Now())\n//   - a list item\n"
	got := runAll(t, `package p

import (
	"time"

	"github.com/golang/protobuf/ptypes"
	tspb "github.com/golang/protobuf/ptypes/timestamp"
)

`+doc+`func Stamp(t time.Time) (*tspb.Timestamp, error) {
	return ptypes.TimestampProto(t)
}
`)
	if !strings.Contains(got, doc) {
		t.Errorf("the untouched doc comment changed:\n%s", got)
	}
}

// Removing an import that carries a trailing comment keeps the file's
// import groups (it used to merge them all into one block).
func TestRemovedCommentedImportKeepsGroups(t *testing.T) {
	got := runAll(t, `package p

import (
	"fmt"
	"time"

	"golang.org/x/net/context"

	"github.com/golang/protobuf/proto" //nolint:staticcheck // legacy
	tspb "github.com/golang/protobuf/ptypes/timestamp"
)

func Stamp(ctx context.Context, t time.Time) (*tspb.Timestamp, *int64) {
	fmt.Println(ctx)
	return &tspb.Timestamp{Seconds: t.Unix()}, proto.Int64(t.Unix())
}
`)
	want := "import (\n\t\"fmt\"\n\t\"time\"\n\n\t\"golang.org/x/net/context\"\n\n\t\"google.golang.org/protobuf/proto\"\n\ttspb \"google.golang.org/protobuf/types/known/timestamppb\"\n)\n"
	if !strings.Contains(got, want) || strings.Contains(got, "nolint") {
		t.Errorf("want the groups kept:\n%s\ngot:\n%s", want, got)
	}
}

// gnostic's lib/gnostic.go: an import block the printer would sort loses
// the removed import only, and a doc comment the printer would reflow,
// right above a rewritten signature, stays as written (the whole file
// used to take the printed form, or "fmt" was imported twice).
func TestUnsortedImportsAndAdjacentDocStay(t *testing.T) {
	doc := "// Size counts:\n//   - bytes\n"
	got := runAll(t, `package p

import (
	"github.com/golang/protobuf/proto"
	"time"
	"fmt"
)

`+doc+`func Size(m proto.Message) int {
	fmt.Println(time.Now())
	return proto.Size(m)
}
`)
	if !strings.Contains(got, doc+"func Size(") {
		t.Errorf("the doc comment above the rewritten signature changed:\n%s", got)
	}
	if !strings.Contains(got, "\t\"time\"\n\t\"fmt\"\n") || strings.Count(got, `"fmt"`) != 1 {
		t.Errorf("want the untouched imports as they were, each once:\n%s", got)
	}
}
