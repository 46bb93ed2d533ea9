// Package protows is the .proto workspace the stages share: which files of
// a module are .proto sources, generation scripts and buf configuration,
// and which import roots its .proto files are compiled against. The gen
// stage, the proto stage, -prove and diffcheck all find roots here, so they
// see the same files under the same names.
//
// Roots come from what the repository itself declares: the directories of
// a buf.work.yaml, the modules of a v2 buf.yaml, the roots of a v1beta1
// buf.yaml, a v1 buf.yaml's own directory, the directory inputs of a v2
// buf.gen.yaml, and the -I/--proto_path flags of protoc commands in
// Makefiles and shell scripts. A GOPATH-style root (the module directory
// seen as $GOPATH/src/<module path>) is a Root with a Prefix.
package protows

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/protolift/protolift/internal/modroot"
)

// Root is an import root. Without a Prefix, import name N is the file
// Dir/N. With one, import name Prefix/R is the file Dir/R: the module
// directory under its module path, as protoc -I $GOPATH/src saw it.
type Root struct {
	Dir    string
	Prefix string
}

// File returns the file an import name resolves to under r, if r can
// hold that name at all.
func (r Root) File(name string) (string, bool) {
	if r.Prefix == "" {
		return filepath.Join(r.Dir, filepath.FromSlash(name)), true
	}
	rest, ok := strings.CutPrefix(name, r.Prefix+"/")
	if !ok {
		return "", false
	}
	return filepath.Join(r.Dir, filepath.FromSlash(rest)), true
}

// Name returns the import name file has under r.
func (r Root) Name(file string) (string, bool) {
	rel, err := filepath.Rel(r.Dir, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	name := filepath.ToSlash(rel)
	if r.Prefix != "" {
		name = r.Prefix + "/" + name
	}
	return name, true
}

func (r Root) String() string {
	if r.Prefix == "" {
		return r.Dir
	}
	return r.Dir + " (as " + r.Prefix + ")"
}

// Plain wraps directories as roots without prefix.
func Plain(dirs ...string) []Root {
	out := make([]Root, len(dirs))
	for i, d := range dirs {
		out[i] = Root{Dir: d}
	}
	return out
}

// Reader reads a file, through an overlay where the caller has one.
type Reader func(path string) ([]byte, error)

// OverlayReader reads overlay entries before the disk.
func OverlayReader(overlay map[string][]byte) Reader { return Overlay(overlay).Read }

// ConfigSuffixes are the file name endings List needs for Declared.
var ConfigSuffixes = []string{".yaml", ".yml", ".sh", "Makefile", ".mk"}

// List lists the files under dir with the given name endings: on disk,
// skipping what SkipDir skips, plus overlay entries that do not
// exist on disk yet.
func List(dir string, overlay map[string][]byte, suffixes ...string) ([]string, error) {
	match := func(name string) bool {
		for _, s := range suffixes {
			if strings.HasSuffix(name, s) {
				return true
			}
		}
		return false
	}
	seen := map[string]bool{}
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if SkipDir(dir, p, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if match(d.Name()) {
			seen[p] = true
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for p := range overlay {
		if seen[p] || !match(filepath.Base(p)) {
			continue
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// Declared returns the import roots that buf configuration and protoc
// commands among files declare, in that order, each once.
func Declared(files []string, read Reader) []string {
	roots := bufRoots(files, read)
	seen := map[string]bool{}
	for _, r := range roots {
		seen[r] = true
	}
	for _, r := range scriptRoots(files, read) {
		if !seen[r] {
			seen[r] = true
			roots = append(roots, r)
		}
	}
	return roots
}

// Discover returns the roots dir's configuration declares (see Open),
// then dir itself (for files under no declared root): one list for
// compiling many files at once.
func Discover(dir string, overlay map[string][]byte) []string {
	ws, err := Open(dir, "", overlay, nil)
	if err != nil {
		return []string{dir}
	}
	for _, r := range ws.Declared {
		if r == ws.Dir {
			return ws.Declared
		}
	}
	return append(ws.Declared, ws.Dir)
}

// bufRoots returns the import roots that buf configuration files declare.
// Only the few keys that name directories are read, so no YAML library
// is needed.
func bufRoots(files []string, read Reader) []string {
	seen := map[string]bool{}
	var roots []string
	add := func(dir string) {
		dir = filepath.Clean(dir)
		if !seen[dir] {
			seen[dir] = true
			roots = append(roots, dir)
		}
	}
	inWorkspace := map[string]bool{}
	for _, f := range files {
		if filepath.Base(f) != "buf.work.yaml" {
			continue
		}
		b, err := read(f)
		if err != nil {
			continue
		}
		for _, d := range YAMLList(b, "directories", "") {
			dir := filepath.Join(filepath.Dir(f), filepath.FromSlash(d))
			inWorkspace[dir] = true
			add(dir)
		}
	}
	for _, f := range files {
		base := filepath.Base(f)
		if IsBufGen(base) {
			// A v2 buf.gen.yaml may name its inputs itself.
			if b, err := read(f); err == nil {
				for _, d := range YAMLList(b, "inputs", "directory") {
					add(filepath.Join(filepath.Dir(f), filepath.FromSlash(d)))
				}
			}
			continue
		}
		if base != "buf.yaml" {
			continue
		}
		b, err := read(f)
		if err != nil {
			continue
		}
		dir := filepath.Dir(f)
		if mods := YAMLList(b, "modules", "path"); len(mods) > 0 {
			for _, m := range mods {
				add(filepath.Join(dir, filepath.FromSlash(m)))
			}
			continue
		}
		if rs := YAMLList(b, "roots", ""); len(rs) > 0 {
			for _, r := range rs {
				add(filepath.Join(dir, filepath.FromSlash(r)))
			}
			continue
		}
		if !inWorkspace[dir] {
			add(dir)
		}
	}
	return roots
}

// IsBufGen reports whether a file name is a buf generation template.
func IsBufGen(base string) bool {
	return strings.HasPrefix(base, "buf.gen") && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"))
}

// IsScript reports whether a file name is a Makefile or shell script.
func IsScript(base string) bool {
	return base == "Makefile" || base == "makefile" || base == "GNUmakefile" || strings.HasSuffix(base, ".mk") || strings.HasSuffix(base, ".sh")
}

// scriptRoots returns the -I / --proto_path directories of the protoc
// commands in Makefiles and shell scripts, relative to the script's
// directory (where make and most scripts run protoc). A variable the
// script assigns one value (GOOGLEAPIS_DIR=third_party/googleapis) is
// expanded; values that depend on any other variable than the current
// directory cannot be known and are left out; so are absolute directories and directories that do not
// exist.
func scriptRoots(files []string, read Reader) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		if !IsScript(filepath.Base(f)) {
			continue
		}
		b, err := read(f)
		if err != nil {
			continue
		}
		dir := filepath.Dir(f)
		vars := scriptVars(b)
		for _, v := range includeFlags(b) {
			p, ok := expandDir(expandVars(v, vars), dir)
			if !ok {
				continue
			}
			if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
				continue
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// includeFlags returns the values of -I, -I=, -Ivalue, --proto_path and
// --proto_path= on the lines of a script that mention protoc or protos,
// continuation lines joined.
func includeFlags(b []byte) []string {
	text := strings.ReplaceAll(string(b), "\\\r\n", " ")
	text = strings.ReplaceAll(text, "\\\n", " ")
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		// Only protoc commands and the variables they use: -I of a C
		// compiler or curl -I are not .proto roots.
		if strings.HasPrefix(line, "#") || !strings.Contains(strings.ToLower(line), "proto") {
			continue
		}
		fields := strings.Fields(line)
		for i := 0; i < len(fields); i++ {
			t := strings.Trim(fields[i], `"'`)
			var v string
			switch {
			case t == "-I" || t == "--proto_path":
				if i+1 < len(fields) {
					v = fields[i+1]
					i++
				}
			case strings.HasPrefix(t, "--proto_path="):
				v = strings.TrimPrefix(t, "--proto_path=")
			case strings.HasPrefix(t, "-I="):
				v = strings.TrimPrefix(t, "-I=")
			case strings.HasPrefix(t, "-I") && len(t) > 2:
				v = t[2:]
			}
			v = strings.Trim(v, `"';`)
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// expandDir makes a script's -I value a directory: the current-directory
// variables become dir; any other variable makes the value unknown.
func expandDir(v, dir string) (string, bool) {
	for _, cur := range []string{"$(CURDIR)", "${CURDIR}", "$(PWD)", "${PWD}", "$PWD", "$(shell pwd)", "$$(pwd)", "$(pwd)", "`pwd`"} {
		if rest, ok := strings.CutPrefix(v, cur); ok {
			v = "." + rest
			break
		}
	}
	// An absolute directory (-I /usr/include) belongs to one machine,
	// not to the repository.
	if strings.ContainsAny(v, "$`*?") || filepath.IsAbs(v) {
		return "", false
	}
	return filepath.Join(dir, filepath.FromSlash(v)), true
}

// YAMLList returns the items of the top-level (or buf v1beta1 build:)
// list named key. With field set, items are mappings and the value of
// that field is returned ("- path: proto").
func YAMLList(b []byte, key, field string) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	in := false
	keyIndent := 0
	for sc.Scan() {
		raw := sc.Text()
		if i := strings.Index(raw, " #"); i >= 0 {
			raw = raw[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(raw), "#") {
			continue
		}
		line := strings.TrimRight(raw, " \t\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		text := strings.TrimSpace(line)
		if !in {
			if text == key+":" {
				in, keyIndent = true, indent
			}
			continue
		}
		if indent <= keyIndent && !strings.HasPrefix(text, "- ") {
			in = false
			if text == key+":" {
				in, keyIndent = true, indent
			}
			continue
		}
		item := text
		if rest, ok := strings.CutPrefix(item, "- "); ok {
			item = strings.TrimSpace(rest)
		} else if field == "" {
			continue
		}
		if field != "" {
			v, ok := strings.CutPrefix(item, field+":")
			if !ok {
				continue
			}
			item = strings.TrimSpace(v)
		}
		out = append(out, strings.Trim(item, `"'`))
	}
	return out
}

// ManagedGoPackagePrefix returns the go_package prefix that buf managed
// mode sets in a buf.gen.yaml among files (v1: managed.go_package_prefix
// .default; v2: a managed override of file_option go_package_prefix that
// is not limited to a path or module), or "".
func ManagedGoPackagePrefix(files []string, read Reader) string {
	for _, f := range files {
		if !IsBufGen(filepath.Base(f)) {
			continue
		}
		b, err := read(f)
		if err != nil {
			continue
		}
		if p := managedPrefix(b); p != "" {
			return p
		}
	}
	return ""
}

func managedPrefix(b []byte) string {
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			lines = append(lines, strings.TrimRight(l, " \t\r"))
		}
	}
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " -")) }
	val := func(l, key string) (string, bool) {
		t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
		v, ok := strings.CutPrefix(t, key+":")
		return strings.Trim(strings.TrimSpace(v), `"'`), ok
	}
	for i, l := range lines {
		// v1: go_package_prefix: { default: X } (or a scalar).
		if v, ok := val(l, "go_package_prefix"); ok {
			if v != "" {
				return v
			}
			for _, m := range lines[i+1:] {
				if indent(m) <= indent(l) {
					break
				}
				if d, ok := val(m, "default"); ok && d != "" {
					return d
				}
			}
		}
		// v2: - file_option: go_package_prefix, value: X (one list item).
		if v, ok := val(l, "file_option"); ok && v == "go_package_prefix" {
			first := i
			for first > 0 && !strings.HasPrefix(strings.TrimSpace(lines[first]), "- ") && indent(lines[first-1]) == indent(l) {
				first--
			}
			value, scoped := "", false
			for j := first; j < len(lines); j++ {
				if j > first && (indent(lines[j]) < indent(l) || strings.HasPrefix(strings.TrimSpace(lines[j]), "- ")) {
					break
				}
				if x, ok := val(lines[j], "value"); ok {
					value = x
				}
				_, p := val(lines[j], "path")
				_, m := val(lines[j], "module")
				scoped = scoped || p || m
			}
			if value != "" && !scoped {
				return value
			}
		}
	}
	return ""
}

// SchemaRoot is the root of a schema-only repository (no go.mod) that dir
// belongs to: the outermost ancestor holding a buf.work.yaml, else the
// nearest holding a buf.yaml, else dir itself. Its Path is empty.
func SchemaRoot(dir string) (*modroot.Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	work, buf := "", ""
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "buf.work.yaml")); err == nil {
			work = d
		}
		if _, err := os.Stat(filepath.Join(d, "buf.yaml")); err == nil && buf == "" {
			buf = d
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	switch {
	case work != "":
		return &modroot.Module{Dir: work}, nil
	case buf != "":
		return &modroot.Module{Dir: buf}, nil
	}
	return &modroot.Module{Dir: abs}, nil
}

// Abs resolves path (as a user typed it) against base, the directory it
// is relative to.
func Abs(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
}
