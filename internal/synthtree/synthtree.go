// Package synthtree writes a large synthetic Go module for benchmarks: many
// small packages that import each other and the standard library, a
// fraction of which use golang/protobuf APIv1 the way services do. It lets
// protolift's speed be measured against tools that type-check every
// package (go vet, analysis drivers) on the same tree.
package synthtree

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// Options shape the tree.
type Options struct {
	Packages int     // number of packages (2000 for the README figures)
	V1Share  float64 // share of packages that use APIv1 (0.05)
	// GoMod and GoSum are copied as the module's go.mod and go.sum; they
	// must require github.com/golang/protobuf and google.golang.org/protobuf.
	GoMod, GoSum []byte
}

// Write creates the module in dir.
func Write(dir string, o Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mf, err := modfile.Parse("go.mod", o.GoMod, nil)
	if err != nil {
		return err
	}
	if err := mf.AddModuleStmt("example.com/synth"); err != nil {
		return err
	}
	gomod, err := mf.Format()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), o.GoSum, 0o644); err != nil {
		return err
	}
	every := 0
	if o.V1Share > 0 {
		every = int(1 / o.V1Share)
	}
	for i := 0; i < o.Packages; i++ {
		pkgDir := filepath.Join(dir, fmt.Sprintf("svc%02d", i/100), fmt.Sprintf("p%04d", i))
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			return err
		}
		v1 := every > 0 && i%every == every-1
		files := map[string]string{
			"model.go":      model(i),
			"logic.go":      logic(i),
			"logic_test.go": logicTest(i),
		}
		if v1 {
			files["convert.go"] = convert(i)
		}
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(pkgDir, name), []byte(src), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func importPath(i int) string {
	return fmt.Sprintf("example.com/synth/svc%02d/p%04d", i/100, i)
}

func model(i int) string {
	return fmt.Sprintf(`package p%04d

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Record is a value the package passes around.
type Record struct {
	ID      string
	Tags    []string
	Created time.Time
	Score   float64
}

// Key returns a stable key for r.
func (r Record) Key() string {
	tags := append([]string(nil), r.Tags...)
	sort.Strings(tags)
	return fmt.Sprintf("%%s/%%s", r.ID, strings.Join(tags, ","))
}
`, i)
}

func logic(i int) string {
	dep := ""
	use := "0"
	if i > 0 {
		dep = fmt.Sprintf("\tdep %q\n", importPath(i-1))
		use = "len(dep.Record{}.Key())"
	}
	return fmt.Sprintf(`package p%04d

import (
	"errors"
	"strconv"
%s)

// ErrEmpty is returned for empty input.
var ErrEmpty = errors.New("empty")

// Parse turns s into a record.
func Parse(s string) (Record, error) {
	if s == "" {
		return Record{}, ErrEmpty
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return Record{ID: s}, nil
	}
	return Record{ID: s, Score: float64(n + %s)}, nil
}
`, i, dep, use)
}

func logicTest(i int) string {
	return fmt.Sprintf(`package p%04d

import "testing"

func TestParse(t *testing.T) {
	if _, err := Parse(""); err != ErrEmpty {
		t.Fatal(err)
	}
}
`, i)
}

func convert(i int) string {
	return fmt.Sprintf(`package p%04d

import (
	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	tspb "github.com/golang/protobuf/ptypes/timestamp"
	"github.com/golang/protobuf/ptypes/wrappers"
)

// Stamp converts the record's creation time.
func (r Record) Stamp() (*tspb.Timestamp, error) {
	ts, err := ptypes.TimestampProto(r.Created)
	if err != nil {
		return nil, err
	}
	return ts, nil
}

// Encode marshals the record's id.
func (r Record) Encode() ([]byte, error) {
	return proto.Marshal(&wrappers.StringValue{Value: r.ID})
}
`, i)
}
