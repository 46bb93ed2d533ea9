package regen

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"
)

// bufRoots returns the import roots that buf configuration files in the
// module declare: the directories of a v1 buf.work.yaml, the modules of a
// v2 buf.yaml, the roots of a v1beta1 buf.yaml, a v1 buf.yaml's own
// directory, and the directory inputs of a v2 buf.gen.yaml. Only the few keys that name directories are read, so no YAML
// library is needed.
func bufRoots(files []string, rd reader) []string {
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
		b, err := rd.read(f)
		if err != nil {
			continue
		}
		for _, d := range yamlList(b, "directories", "") {
			dir := filepath.Join(filepath.Dir(f), filepath.FromSlash(d))
			inWorkspace[dir] = true
			add(dir)
		}
	}
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasPrefix(base, "buf.gen") && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
			// A v2 buf.gen.yaml may name its inputs itself.
			if b, err := rd.read(f); err == nil {
				for _, d := range yamlList(b, "inputs", "directory") {
					add(filepath.Join(filepath.Dir(f), filepath.FromSlash(d)))
				}
			}
			continue
		}
		if base != "buf.yaml" {
			continue
		}
		b, err := rd.read(f)
		if err != nil {
			continue
		}
		dir := filepath.Dir(f)
		if mods := yamlList(b, "modules", "path"); len(mods) > 0 {
			for _, m := range mods {
				add(filepath.Join(dir, filepath.FromSlash(m)))
			}
			continue
		}
		if rs := yamlList(b, "roots", ""); len(rs) > 0 {
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

// yamlList returns the items of the top-level (or buf v1beta1 build:)
// list named key. With field set, items are mappings and the value of
// that field is returned ("- path: proto").
func yamlList(b []byte, key, field string) []string {
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

// findRoot picks the import root a generated file's "// source:" path is
// relative to. It tries, in order: the root a paths=source_relative
// layout implies, the roots buf configuration declares, the generated
// file's directory and its parents up to the module directory, and finally
// any .proto file in the module whose path ends with the source path.
func findRoot(g *genFile, moduleDir string, buf []string, protos []string, rd reader) string {
	src := filepath.FromSlash(g.source)
	try := func(root string) bool { return rd.exists(filepath.Join(root, src)) }
	dir := filepath.Dir(g.path)
	if sdir := filepath.Dir(src); sdir != "." {
		if r, ok := strings.CutSuffix(dir, string(filepath.Separator)+sdir); ok && try(r) {
			return r
		}
	} else if try(dir) {
		return dir
	}
	for _, r := range buf {
		if try(r) {
			return r
		}
	}
	for d := dir; ; d = filepath.Dir(d) {
		if try(d) {
			return d
		}
		if d == moduleDir || filepath.Dir(d) == d || !strings.HasPrefix(d, moduleDir) {
			break
		}
	}
	var found []string
	for _, p := range protos {
		if strings.HasSuffix(p, string(filepath.Separator)+src) {
			found = append(found, strings.TrimSuffix(p, string(filepath.Separator)+src))
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	// Several candidates: guessing could compile against the wrong copy.
	return ""
}
