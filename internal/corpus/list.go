package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Entry is one line of a corpus list: a module version to fetch with
// go mod download, or a local directory (from -dir), and its settings.
type Entry struct {
	// Module and Version name the module zip; Dir is set instead for a local
	// directory.
	Module  string `json:"module,omitempty"`
	Version string `json:"version,omitempty"`
	Dir     string `json:"dir,omitempty"`
	// Tags are build tags for every go command and for protolift (tags=a,b).
	Tags string `json:"tags,omitempty"`
	// Pins are module@version requirements added before tidying a module that
	// has no go.mod, so that its dependencies stay in its era
	// (pin=github.com/golang/protobuf@v1.3.2,google.golang.org/grpc@v1.20.0).
	Pins []string `json:"pins,omitempty"`
	// Test limits the packages whose tests run, as go test patterns (test=./a/...,./b).
	Test []string `json:"test,omitempty"`
	// Comment is the text after # on the same line: why the module is in.
	Comment string `json:"comment,omitempty"`
}

// Name is how the entry is shown: module@version, or the directory.
func (e Entry) Name() string {
	if e.Dir != "" {
		return e.Dir
	}
	return e.Module + "@" + e.Version
}

// ParseList reads a corpus list: one "module@version [key=value ...]" per
// line; blank lines and lines starting with # are skipped, and a # later on a
// line starts its comment.
func ParseList(r io.Reader) ([]Entry, error) {
	var entries []Entry
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		comment := ""
		if i := strings.Index(line, "#"); i >= 0 {
			comment = strings.TrimSpace(line[i+1:])
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		mod, ver, ok := strings.Cut(fields[0], "@")
		if !ok || mod == "" || ver == "" {
			return nil, fmt.Errorf("line %d: want module@version, got %q", n, fields[0])
		}
		e := Entry{Module: mod, Version: ver, Comment: comment}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: want key=value, got %q", n, f)
			}
			switch k {
			case "tags":
				e.Tags = v
			case "pin":
				e.Pins = append(e.Pins, splitComma(v)...)
			case "test":
				e.Test = append(e.Test, splitComma(v)...)
			default:
				return nil, fmt.Errorf("line %d: unknown setting %q (want tags, pin or test)", n, k)
			}
		}
		entries = append(entries, e)
	}
	return entries, sc.Err()
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
