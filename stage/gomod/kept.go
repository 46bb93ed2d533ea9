package gomod

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/modroot"
)

// KeptRule names the finding that go.mod still requires
// github.com/golang/protobuf after the migration, with the reason.
const KeptRule = "mod.kept"

// legacyImporters lists the module's Go files (overlay content first)
// that still import a github.com/golang/protobuf package, as
// "file:line" strings relative to the module root.
func legacyImporters(moduleDir string, overlay map[string][]byte) ([]string, error) {
	m, err := modroot.Find(moduleDir)
	if err != nil {
		return nil, err
	}
	dirs, _, _, err := modroot.Dirs(m, m.Dir, []string{"./..."})
	if err != nil {
		return nil, err
	}
	inDir := map[string][]string{}
	for p := range overlay {
		if strings.HasSuffix(p, ".go") {
			inDir[filepath.Dir(p)] = append(inDir[filepath.Dir(p)], p)
		}
	}
	fset := token.NewFileSet()
	var out []string
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		files := map[string]bool{}
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
				files[filepath.Join(d, e.Name())] = true
			}
		}
		for _, p := range inDir[d] {
			files[p] = true
		}
		names := make([]string, 0, len(files))
		for p := range files {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, p := range names {
			src, ok := overlay[p]
			if !ok {
				if src, err = os.ReadFile(p); err != nil {
					return nil, err
				}
			}
			f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == golangProtobuf || strings.HasPrefix(path, golangProtobuf+"/") {
					rel, _ := filepath.Rel(m.Dir, p)
					out = append(out, fmt.Sprintf("%s:%d", filepath.ToSlash(rel), fset.Position(imp.Pos()).Line))
					break
				}
			}
		}
	}
	return out, nil
}

// keptFinding explains why go.mod still requires golang/protobuf after a
// tidy: the files of this module that import it, or else another module
// that needs it.
func keptFinding(gomodPath string, mf *modfile.File, importers []string) (change.Diagnostic, bool) {
	for _, r := range mf.Require {
		if r.Mod.Path != golangProtobuf {
			continue
		}
		pos := change.Position{Line: r.Syntax.Start.Line, Col: r.Syntax.Start.LineRune, Offset: r.Syntax.Start.Byte}
		d := change.Diagnostic{Path: gomodPath, Start: pos, End: pos, Rule: KeptRule, Risk: change.Review}
		switch {
		case len(importers) == 0:
			d.Message = fmt.Sprintf("%s %s stays as an indirect requirement: a dependency still imports it (go mod why -m %s tells which)", golangProtobuf, r.Mod.Version, golangProtobuf)
		default:
			shown := importers
			if len(shown) > 5 {
				shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(importers)-5))
			}
			d.Message = fmt.Sprintf("%s %s is still required: imported by %s (protoc-gen-go output: protolift gen regenerates it; gogo output and tool pins: see their own findings)", golangProtobuf, r.Mod.Version, strings.Join(shown, ", "))
		}
		return d, true
	}
	return change.Diagnostic{}, false
}
