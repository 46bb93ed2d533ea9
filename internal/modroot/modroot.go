// Package modroot finds the Go module a directory belongs to and lists the
// directories of a package pattern without running the go command, so the
// pre-filter can decide cheaply which packages need a full load.
package modroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// Module is a Go module on disk.
type Module struct {
	Dir  string // absolute directory holding go.mod
	Path string // module path
	Go   string // go directive, "" if absent
}

// Find returns the module containing dir.
func Find(dir string) (*Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	for d := abs; ; {
		gomod := filepath.Join(d, "go.mod")
		data, err := os.ReadFile(gomod)
		if err == nil {
			f, err := modfile.ParseLax(gomod, data, nil)
			if err != nil {
				return nil, err
			}
			if f.Module == nil {
				return nil, fmt.Errorf("%s: no module directive", gomod)
			}
			m := &Module{Dir: d, Path: f.Module.Mod.Path}
			if f.Go != nil {
				m.Go = f.Go.Version
			}
			return m, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, fmt.Errorf("%s is not inside a Go module (no go.mod in it or any parent directory); run protolift in a module or pass -C <module dir>", abs)
		}
		d = parent
	}
}

// SkipDir reports whether a directory below the module root is outside
// the module's own packages: nested modules, vendor, testdata, and names
// the go command ignores.
func SkipDir(root, dir string, name string) bool {
	if dir == root {
		return false
	}
	if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// Dirs expands package patterns relative to base (inside module m) into
// package directories. It understands ".", "./x", "./x/...", "x/..."
// relative forms and import paths inside the module; ok is false for a
// pattern it cannot expand itself (the caller then asks the go command).
// skipped lists the vendor and testdata directories a recursive pattern
// passed over, so callers can report what they did not look at.
func Dirs(m *Module, base string, patterns []string) (dirs, skipped []string, ok bool, err error) {
	seen := map[string]bool{}
	for _, pat := range patterns {
		rel, recursive := strings.CutSuffix(pat, "/...")
		if pat == "..." {
			rel, recursive = ".", true
		}
		var dir string
		switch {
		case rel == "." || rel == ".." || strings.HasPrefix(rel, "./") || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel):
			dir = rel
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(base, rel)
			}
		case rel == m.Path || strings.HasPrefix(rel, m.Path+"/"):
			dir = filepath.Join(m.Dir, filepath.FromSlash(strings.TrimPrefix(rel, m.Path)))
		default:
			return nil, nil, false, nil
		}
		if strings.ContainsAny(rel, "*?[") {
			return nil, nil, false, nil
		}
		dir = filepath.Clean(dir)
		if dir != m.Dir && !strings.HasPrefix(dir, m.Dir+string(filepath.Separator)) {
			return nil, nil, false, fmt.Errorf("pattern %s: directory %s is outside module %s (%s)", pat, dir, m.Path, m.Dir)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, nil, false, fmt.Errorf("pattern %s: directory %s does not exist", pat, dir)
		}
		if !recursive {
			if !seen[dir] {
				seen[dir] = true
				dirs = append(dirs, dir)
			}
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if SkipDir(m.Dir, path, d.Name()) && path != dir {
				if d.Name() == "vendor" || d.Name() == "testdata" {
					skipped = append(skipped, path)
				}
				return filepath.SkipDir
			}
			if !seen[path] {
				seen[path] = true
				dirs = append(dirs, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, false, err
		}
	}
	return dirs, skipped, true, nil
}
