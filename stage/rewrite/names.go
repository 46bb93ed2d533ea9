package rewrite

import (
	"go/types"
	"path"
	"strconv"
	"strings"

	"go/ast"
	"sort"

	"github.com/dave/dst"

	"golang.org/x/tools/go/packages"
)

// names resolves import paths to package names from the loaded package
// graph, so the restorer never guesses a name from the last path element
// (wrong for "go-foo", ".v2" and "/v2" paths).
type names struct {
	byPath map[string]string
}

func newNames(pkg *packages.Package) *names {
	n := &names{byPath: map[string]string{}}
	var walk func(p *types.Package, depth int)
	walk = func(p *types.Package, depth int) {
		if _, ok := n.byPath[p.Path()]; ok || depth > 2 {
			return
		}
		n.byPath[p.Path()] = p.Name()
		for _, q := range p.Imports() {
			walk(q, depth+1)
		}
	}
	if pkg.Types != nil {
		for _, q := range pkg.Types.Imports() {
			walk(q, 0)
		}
	}
	return n
}

// ResolvePackage implements the dst restorer's resolver.
func (n *names) ResolvePackage(p string) (string, error) {
	if name, ok := n.byPath[p]; ok {
		return name, nil
	}
	return knownName(p), nil
}

// knownName is the package name of the paths rules introduce. Every path
// a rule adds is under google.golang.org/{protobuf,grpc} or the standard
// library, where the package name is the last path element.
func knownName(p string) string {
	return path.Base(p)
}

// chooseAliases decides the import name of every package the rewritten
// file uses that it did not import before: the requested alias (carried
// over from the import it replaces) or the package name, unless that
// collides with another import or with any identifier declared in the
// file or the package, in which case a distinct name is chosen.
func chooseAliases(pkg *packages.Package, af *ast.File, f *dst.File, n *names, requested map[string]string) map[string]string {
	used := map[string]bool{}
	dst.Inspect(f, func(x dst.Node) bool {
		if id, ok := x.(*dst.Ident); ok && id.Path != "" && id.Path != pkg.PkgPath {
			used[id.Path] = true
		}
		return true
	})
	existing := map[string]string{}
	for _, is := range f.Imports {
		p, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			continue
		}
		name := ""
		if is.Name != nil {
			name = is.Name.Name
		}
		existing[p] = name
	}
	taken := map[string]bool{}
	for p, a := range existing {
		if !used[p] || a == "_" || a == "." {
			continue
		}
		if a == "" {
			a, _ = n.ResolvePackage(p)
		}
		taken[a] = true
	}
	for id, obj := range pkg.TypesInfo.Defs {
		if _, isImport := obj.(*types.PkgName); isImport {
			continue // import names are accounted for above, by use
		}
		if obj != nil && id.Pos() >= af.Pos() && id.Pos() <= af.End() {
			taken[id.Name] = true
		}
	}
	if pkg.Types != nil {
		for _, name := range pkg.Types.Scope().Names() {
			taken[name] = true
		}
	}
	out := map[string]string{}
	var newPaths []string
	for p := range used {
		if _, ok := existing[p]; !ok {
			newPaths = append(newPaths, p)
		}
	}
	sort.Strings(newPaths)
	for _, p := range newPaths {
		def, _ := n.ResolvePackage(p)
		want := def
		if a, ok := requested[p]; ok && a != "" && !taken[a] {
			want = a
		}
		name := want
		for i := 0; taken[name]; i++ {
			name = altName(p, want, i)
		}
		taken[name] = true
		if name != def {
			out[p] = name
		}
	}
	return out
}

// altName proposes the i'th alternative import name for path p whose
// preferred name is taken: "protov2" for APIv2's proto, otherwise the
// parent element as a prefix ("grpcstatus"), then numbered names.
func altName(p, name string, i int) string {
	parent := path.Base(path.Dir(p))
	parent = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(parent))
	switch {
	case i == 0 && p == "google.golang.org/protobuf/proto":
		return "protov2"
	case i == 0 && parent != "" && parent != name:
		return parent + name
	}
	return name + strconv.Itoa(i+1)
}

// reuseXNetContext points the standard-library context identifiers the
// rules introduced at the file's golang.org/x/net/context import when the
// file does not import "context" itself and that package declares every
// one of them: it re-exports the standard package (aliases and wrappers)
// since Go 1.9, so the code means the same, and the file keeps one context
// import instead of gaining a second one named context1.
func reuseXNetContext(pkg *packages.Package, f *dst.File) {
	const std, xnet = "context", "golang.org/x/net/context"
	if pkg.Types == nil {
		return
	}
	usable := false
	for _, is := range f.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		switch {
		case p == std:
			return
		case p == xnet && (is.Name == nil || is.Name.Name != "_" && is.Name.Name != "."):
			usable = true
		}
	}
	var xp *types.Package
	for _, q := range pkg.Types.Imports() {
		if q.Path() == xnet {
			xp = q
		}
	}
	if !usable || xp == nil {
		return
	}
	var ids []*dst.Ident
	all := true
	dst.Inspect(f, func(n dst.Node) bool {
		if id, ok := n.(*dst.Ident); ok && id.Path == std {
			if o := xp.Scope().Lookup(id.Name); o == nil || !o.Exported() {
				all = false
			}
			ids = append(ids, id)
		}
		return true
	})
	if !all {
		return
	}
	for _, id := range ids {
		id.Path = xnet
	}
}
