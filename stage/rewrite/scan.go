package rewrite

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/protolift/protolift/internal/genheader"
	"github.com/protolift/protolift/rule"
)

// scanned is what the syntactic pre-filter learned about one file.
type scanned struct {
	path      string
	src       []byte
	generated bool
	// gogo marks gogo/protobuf output (also counted as generated).
	gogo bool
	// crlf marks a file with CRLF line endings, rewritten as LF.
	crlf bool
	// imports are the import paths that made the file interesting.
	imports []string
}

// incidental reports whether only standard-library imports made the file
// interesting (reflect and testing, for rules that look at
// reflect.DeepEqual on messages): nothing in it needs migrating for
// certain, so a package of such files that does not type-check is
// skipped, not fatal, and such a file excluded by build constraints is
// not worth a load of its own or a finding.
func (f *scanned) incidental() bool {
	for _, p := range f.imports {
		if p == rule.GRPCGenerated || !isStd(p) {
			return false
		}
	}
	return len(f.imports) > 0
}

// prefilter reads only the import block of every Go file in dirs and
// keeps the files that import a path some enabled rule cares about. It
// never type-checks, so its cost is a small fraction of a package load and
// the expensive work later scales with the packages that need migrating,
// not with the size of the repository.
func prefilter(dirs []string, rules []*rule.Rule, overlay map[string][]byte, grpcGen map[string]bool) ([]scanned, error) {
	var want []string
	for _, r := range rules {
		want = append(want, r.Imports...)
	}
	isWanted := func(path string) bool {
		for _, w := range want {
			if path == w || (strings.HasSuffix(w, "/") && strings.HasPrefix(path, w)) {
				return true
			}
		}
		return false
	}
	matches := func(path string) bool {
		if grpcGen[path] {
			return true
		}
		for _, w := range want {
			if path == w || (strings.HasSuffix(w, "/") && strings.HasPrefix(path, w)) {
				return true
			}
		}
		return false
	}
	fset := token.NewFileSet()
	var out []scanned
	for _, dir := range dirs {
		names, err := goFiles(dir, overlay)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			path := filepath.Join(dir, name)
			src, ok := overlay[path]
			if !ok {
				src, err = os.ReadFile(path)
				if err != nil {
					return nil, fmt.Errorf("%s: cannot read: %w", path, err)
				}
			}
			f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly)
			if err != nil {
				// Syntax errors are reported by the full load, with
				// positions, if the package is interesting; a file we
				// cannot even read the imports of is interesting.
				out = append(out, scanned{path: path, src: src})
				continue
			}
			var hits []string
			gogo := genheader.IsGogo(src)
			generated := gogo || genheader.IsGenerated(src)
			// Generated code is never edited; being (or importing)
			// protoc-gen-go-grpc output is no finding about it.
			grpcHit := !generated && len(grpcGen) > 0 && hasGRPCFile(names)
			for _, imp := range f.Imports {
				p, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					continue
				}
				if grpcGen[p] {
					grpcHit = grpcHit || !generated
					if !isWanted(p) {
						continue
					}
				}
				if matches(p) || p == legacyGeneratorCmd {
					hits = append(hits, p)
				}
			}
			if grpcHit {
				hits = append(hits, rule.GRPCGenerated)
			}
			if len(hits) > 0 {
				out = append(out, scanned{path: path, src: src, generated: generated, gogo: gogo, imports: hits})
			}
		}
	}
	return out, nil
}

// legacyGeneratorCmd is golang/protobuf's protoc-gen-go command, which
// tools.go files pin for go install: no rule rewrites it, but the pin
// keeps golang/protobuf in go.mod, so it is reported.
const legacyGeneratorCmd = "github.com/golang/protobuf/protoc-gen-go"

// goFiles lists the .go files of dir, including overlay files that do
// not exist on disk yet.
func goFiles(dir string, overlay map[string][]byte) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			continue
		}
		seen[n] = true
		names = append(names, n)
	}
	for p := range overlay {
		if filepath.Dir(p) == dir && strings.HasSuffix(p, ".go") && !seen[filepath.Base(p)] {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	return names, nil
}

// hasGRPCFile reports whether a directory's files include
// protoc-gen-go-grpc output, which makes its hand-written files
// candidates for the rules about generated gRPC code.
func hasGRPCFile(names []string) bool {
	for _, n := range names {
		if strings.HasSuffix(n, "_grpc.pb.go") {
			return true
		}
	}
	return false
}
