package protows

import (
	"regexp"
	"strings"
)

// Real Makefiles name their include directories once and use them in every
// protoc command (grpc-gateway's `GOOGLEAPIS_DIR=third_party/googleapis`
// and `protoc -I$(GOOGLEAPIS_DIR) …`); shell scripts do the same with
// `INC=…` and `-I "$INC"`. scriptVars reads those assignments so that such
// a -I value becomes a root instead of being dropped as unknown.

// assignRe matches a variable assignment of a Makefile (NAME = v,
// NAME := v, NAME ::= v, NAME ?= v, override/export forms) or a shell
// script (NAME=v, export NAME=v, readonly NAME=v, local NAME=v).
var assignRe = regexp.MustCompile(`^(?:(?:export|override|readonly|local|declare)\s+)*([A-Za-z_][A-Za-z0-9_]*)\s*(::=|:=|\?=|=)\s*(.*)$`)

// scriptVars returns the variables a script assigns exactly one value,
// with Makefile comments and surrounding quotes removed. A variable
// assigned two different values (per target, per branch of an if) or
// appended to (+=) is left out: which value a protoc command sees cannot
// be known without running the script.
func scriptVars(b []byte) map[string]string {
	vals := map[string]string{}
	ambiguous := map[string]bool{}
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := appendRe.FindStringSubmatch(line); m != nil {
			ambiguous[m[1]] = true
			continue
		}
		m := assignRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name, v := m[1], strings.TrimSpace(m[3])
		if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		v = strings.Trim(v, `"'`)
		if strings.ContainsAny(v, " \t") {
			// a list of flags, not a directory (PROTOC_INC := -I a -I b is
			// read by includeFlags on its own line)
			ambiguous[name] = true
			continue
		}
		if old, ok := vals[name]; ok && old != v {
			ambiguous[name] = true
			continue
		}
		vals[name] = v
	}
	for n := range ambiguous {
		delete(vals, n)
	}
	return vals
}

var (
	appendRe = regexp.MustCompile(`^(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_]*)\s*\+=`)
	// varRefRe matches $(NAME), ${NAME}, ${NAME:-default} and $NAME.
	varRefRe = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
)

// expandVars replaces the references to vars in v (recursively, for a
// variable defined through another), and a shell default
// (${NAME:-default}) where NAME is not assigned. References it cannot
// resolve are left as they are, for expandDir to judge (the
// current-directory variables) or reject.
func expandVars(v string, vars map[string]string) string {
	for depth := 0; depth < 8 && strings.Contains(v, "$"); depth++ {
		changed := false
		v = varRefRe.ReplaceAllStringFunc(v, func(ref string) string {
			m := varRefRe.FindStringSubmatch(ref)
			name := m[1] + m[2] + m[4]
			if val, ok := vars[name]; ok {
				changed = true
				return val
			}
			if m[2] != "" && strings.Contains(ref, ":-") && !strings.Contains(m[3], "$") {
				changed = true
				return m[3]
			}
			return ref
		})
		if !changed {
			break
		}
	}
	return v
}
