package regen

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/protolift/protolift/internal/change"
)

// legacyWKTPaths maps the Go packages that old protoc-gen-go runs were told
// (with M options) to put the well-known types in onto the packages that
// hold them now. The regenerated code imports the new ones; a script that
// kept the old mapping would generate code importing golang/protobuf again.
var legacyWKTPaths = map[string]string{
	"github.com/golang/protobuf/ptypes/any":               "google.golang.org/protobuf/types/known/anypb",
	"github.com/golang/protobuf/ptypes/duration":          "google.golang.org/protobuf/types/known/durationpb",
	"github.com/golang/protobuf/ptypes/empty":             "google.golang.org/protobuf/types/known/emptypb",
	"github.com/golang/protobuf/ptypes/struct":            "google.golang.org/protobuf/types/known/structpb",
	"github.com/golang/protobuf/ptypes/timestamp":         "google.golang.org/protobuf/types/known/timestamppb",
	"github.com/golang/protobuf/ptypes/wrappers":          "google.golang.org/protobuf/types/known/wrapperspb",
	"github.com/golang/protobuf/protoc-gen-go/descriptor": "google.golang.org/protobuf/types/descriptorpb",
	"github.com/golang/protobuf/protoc-gen-go/plugin":     "google.golang.org/protobuf/types/pluginpb",
}

// scriptFix is what fixScripts needs to know about the run.
type scriptFix struct {
	goVer, grpcVer string
	// optOut adds require_unimplemented_servers=false to the service
	// generator's options, as the regeneration did.
	optOut bool
	// rewrite is false when some generated code was not regenerated:
	// the scripts are then only reported.
	rewrite bool
}

// fixScripts brings the protoc commands of shell scripts and Makefiles in
// line with the regenerated code, so that the next run of the script does
// not undo the migration:
//
//   - `--go_out=…plugins=grpc…:DIR` loses plugins=grpc (current
//     protoc-gen-go rejects it) and gains `--go-grpc_out=…:DIR` with the
//     same options (both generators are protogen-based and read the same
//     M, paths and module options), so services come from
//     protoc-gen-go-grpc as in the regenerated code;
//   - a separate `--go_opt=plugins=grpc` is dropped the same way, and the
//     command's `--go_out` and other `--go_opt` flags are repeated for
//     protoc-gen-go-grpc;
//   - M options that map the well-known types to golang/protobuf's ptypes
//     packages name the google.golang.org/protobuf packages instead.
//
// Each rewrite is announced on stderr (risk review: the script now needs
// protoc-gen-go-grpc installed where it runs). What it cannot rewrite
// safely (buf.gen.yaml plugin lists, a `--go_opt=plugins=grpc` without a
// `--go_out` in the same command, any other spelling) stays a finding
// that needs a person.
func fixScripts(res *Result, files []string, rd reader, fx scriptFix) error {
	for _, p := range files {
		base := filepath.Base(p)
		isYAML := strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")
		if isYAML && !strings.HasPrefix(base, "buf.gen") {
			continue
		}
		b, err := rd.Read(p)
		if err != nil {
			return err
		}
		var edits []byteEdit
		var kept []int
		if !isYAML && fx.rewrite {
			edits, kept = scriptEdits(b, fx)
			edits = append(edits, wktEdits(b)...)
		} else {
			kept = allIndexes(b, "plugins=grpc")
		}
		for _, start := range kept {
			end := start + len("plugins=grpc")
			res.Report(change.Diagnostic{
				Path: p, Start: change.PositionAt(b, start), End: change.PositionAt(b, end),
				Rule: ScriptRule, Risk: change.Manual,
				Message:    "this generation step asks protoc-gen-go for plugins=grpc: current protoc-gen-go rejects it, and golang/protobuf's generator would bring back the code protolift gen replaced",
				Suggestion: "generate messages with google.golang.org/protobuf/cmd/protoc-gen-go " + fx.goVer + " (--go_out) and services with google.golang.org/grpc/cmd/protoc-gen-go-grpc " + fx.grpcVer + " (--go-grpc_out, or a second plugin in buf.gen.yaml), using the same output options",
			})
		}
		if len(edits) == 0 {
			continue
		}
		out, changes := applyByteEdits(b, edits)
		f := &change.File{Path: p, Old: b, New: out, Stage: "gen"}
		said := map[string]bool{}
		for _, c := range changes {
			f.Edits = append(f.Edits, change.Edit{Rule: ScriptRule, Risk: change.Review, Message: c.msg, Start: c.start, End: c.end})
			if !said[c.msg] { // one announcement per kind of rewrite and file
				said[c.msg] = true
				res.Report(change.Diagnostic{Path: p, Start: c.start, End: c.end, Rule: ScriptRule, Risk: change.Review, Message: c.msg})
			}
		}
		res.Put(f)
	}
	return nil
}

// byteEdit replaces b[start:end] with text; msg says why.
type byteEdit struct {
	start, end int
	text, msg  string
}

type appliedEdit struct {
	start, end change.Position
	msg        string
}

// applyByteEdits applies non-overlapping edits (an edit overlapping an
// earlier one is dropped) and returns the positions in the old content.
func applyByteEdits(b []byte, edits []byteEdit) ([]byte, []appliedEdit) {
	sortEdits(edits)
	var out bytes.Buffer
	var done []appliedEdit
	last := 0
	for _, e := range edits {
		if e.start < last {
			continue
		}
		out.Write(b[last:e.start])
		out.WriteString(e.text)
		last = e.end
		done = append(done, appliedEdit{start: change.PositionAt(b, e.start), end: change.PositionAt(b, e.end), msg: e.msg})
	}
	out.Write(b[last:])
	return out.Bytes(), done
}

func sortEdits(edits []byteEdit) {
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && edits[j].start < edits[j-1].start; j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
}

func allIndexes(b []byte, s string) []int {
	var out []int
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(s))
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + len(s)
	}
}

// scriptEdits returns the rewrites of every plugins=grpc it understands
// and the offsets of those it does not.
func scriptEdits(b []byte, fx scriptFix) (edits []byteEdit, kept []int) {
	msg := "rewritten for the current generators: messages from google.golang.org/protobuf/cmd/protoc-gen-go " + fx.goVer +
		" (--go_out), services from google.golang.org/grpc/cmd/protoc-gen-go-grpc " + fx.grpcVer +
		" (--go-grpc_out), as protolift gen regenerated them; install both where this runs"
	for _, at := range allIndexes(b, "plugins=grpc") {
		tok, ok := flagAround(b, at)
		if !ok {
			kept = append(kept, at)
			continue
		}
		switch tok.name {
		case "--go_out":
			goVal, ok := dropParam(tok.value, "plugins=grpc")
			if !ok {
				kept = append(kept, at)
				continue
			}
			goVal = wktReplace(goVal)
			grpcVal := grpcParams(goVal, fx.optOut)
			text := tok.render("--go_out", goVal) + " " + tok.render("--go-grpc_out", grpcVal)
			edits = append(edits, byteEdit{start: tok.start, end: tok.end, text: text, msg: msg})
		case "--go_opt":
			if tok.value != "plugins=grpc" {
				kept = append(kept, at)
				continue
			}
			cmdStart, cmdEnd := commandAround(b, at)
			out, ok := findFlag(b, cmdStart, cmdEnd, "--go_out")
			if !ok {
				kept = append(kept, at)
				continue
			}
			add := " " + out.render("--go-grpc_out", wktReplace(out.value))
			for _, o := range flagsIn(b, cmdStart, cmdEnd, "--go_opt") {
				if o.value != "plugins=grpc" && !goOnlyParam(o.value) {
					add += " " + o.render("--go-grpc_opt", wktReplace(o.value))
				}
			}
			if fx.optOut {
				add += " --go-grpc_opt=require_unimplemented_servers=false"
			}
			start, end := dropWord(b, tok.start, tok.end, cmdStart)
			edits = append(edits,
				byteEdit{start: start, end: end, text: "", msg: msg},
				byteEdit{start: out.end, end: out.end, text: add, msg: msg})
		default:
			kept = append(kept, at)
		}
	}
	return edits, kept
}

// dropWord returns the range to delete to remove the word b[start:end]:
// its whole line when it stands alone on a continued line of a command,
// else the word with the blanks before it (not before cmdStart).
func dropWord(b []byte, start, end, cmdStart int) (int, int) {
	lineStart := bytes.LastIndexByte(b[:start], '\n') + 1
	rest := b[end:]
	if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl+1]
	}
	if len(bytes.TrimLeft(b[lineStart:start], " \t")) == 0 && lineStart > cmdStart {
		if t := bytes.TrimLeft(rest, " \t"); bytes.Equal(t, []byte("\\\n")) {
			return lineStart, end + len(rest)
		}
	}
	for start > cmdStart && (b[start-1] == ' ' || b[start-1] == '\t') {
		start--
	}
	return start, end
}

// wktEdits rewrites M options naming golang/protobuf's well-known-type
// packages.
func wktEdits(b []byte) []byteEdit {
	var edits []byteEdit
	for old, new := range legacyWKTPaths {
		for _, at := range allIndexes(b, "="+old) {
			end := at + 1 + len(old)
			if end < len(b) && !isValueEnd(b[end]) {
				continue // a longer path that merely starts the same
			}
			edits = append(edits, byteEdit{start: at + 1, end: end, text: new,
				msg: "M options map the well-known types to the google.golang.org/protobuf packages the regenerated code imports; mapped to golang/protobuf's ptypes packages, the next run of this script would bring golang/protobuf back"})
		}
	}
	return edits
}

// wktReplace applies wktEdits to one flag value.
func wktReplace(v string) string {
	b := []byte(v)
	out, _ := applyByteEdits(b, wktEdits(b))
	return string(out)
}

func isValueEnd(c byte) bool {
	return c == ',' || c == ':' || c == '"' || c == '\'' || c == ' ' || c == '\t' || c == '\n' || c == '\\' || c == ';' || c == ')'
}

// flagTok is one `--name=value` word of a command line, possibly quoted
// as a whole ("--go_out=a:b") or in its value (--go_out="a:b").
type flagTok struct {
	name, value string
	wrap        string // quote around the whole word, or ""
	vq          string // quote around the value, or ""
	start, end  int    // the word in the file, quotes included
}

// render spells a flag the way t is spelled.
func (t flagTok) render(name, value string) string {
	return t.wrap + name + "=" + t.vq + value + t.vq + t.wrap
}

// flagAround finds the --go_out or --go_opt word that contains offset at.
func flagAround(b []byte, at int) (flagTok, bool) {
	lineStart := bytes.LastIndexByte(b[:at], '\n') + 1
	best := -1
	for _, name := range []string{"--go_out=", "--go_opt="} {
		if i := bytes.LastIndex(b[lineStart:at], []byte(name)); i >= 0 && lineStart+i > best {
			best = lineStart + i
		}
	}
	if best < 0 {
		return flagTok{}, false
	}
	tok, ok := parseFlag(b, best)
	if !ok || at >= tok.end {
		return flagTok{}, false
	}
	return tok, true
}

// parseFlag reads the flag word whose `--` is at offset i.
func parseFlag(b []byte, i int) (flagTok, bool) {
	eq := bytes.IndexByte(b[i:], '=')
	if eq < 0 {
		return flagTok{}, false
	}
	tok := flagTok{name: string(b[i : i+eq]), start: i}
	v := i + eq + 1
	if i > 0 && (b[i-1] == '"' || b[i-1] == '\'') {
		q := b[i-1]
		end := bytes.IndexByte(b[v:], q)
		if end < 0 || bytes.IndexByte(b[v:v+end], '\n') >= 0 {
			return flagTok{}, false
		}
		tok.wrap, tok.start = string(q), i-1
		tok.value, tok.end = string(b[v:v+end]), v+end+1
		return tok, true
	}
	if v < len(b) && (b[v] == '"' || b[v] == '\'') {
		q := b[v]
		end := bytes.IndexByte(b[v+1:], q)
		if end < 0 || bytes.IndexByte(b[v+1:v+1+end], '\n') >= 0 {
			return flagTok{}, false
		}
		tok.vq = string(q)
		tok.value, tok.end = string(b[v+1:v+1+end]), v+1+end+1
		return tok, true
	}
	end := v
	for end < len(b) && !isWordEnd(b[end]) {
		if b[end] == '"' || b[end] == '\'' {
			return flagTok{}, false // quotes in the middle of a word: leave it
		}
		end++
	}
	tok.value, tok.end = string(b[v:end]), end
	return tok, true
}

func isWordEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '\\' || c == '|' || c == '&'
}

// commandAround returns the logical line (continuation lines joined by a
// trailing backslash) that contains offset at.
func commandAround(b []byte, at int) (start, end int) {
	start = bytes.LastIndexByte(b[:at], '\n') + 1
	for start > 1 && b[start-2] == '\\' {
		start = bytes.LastIndexByte(b[:start-1], '\n') + 1
	}
	end = at
	for {
		nl := bytes.IndexByte(b[end:], '\n')
		if nl < 0 {
			return start, len(b)
		}
		end += nl
		if end == 0 || b[end-1] != '\\' {
			return start, end
		}
		end++
	}
}

// flagsIn returns the flag words called name in b[start:end].
func flagsIn(b []byte, start, end int, name string) []flagTok {
	var out []flagTok
	for _, i := range allIndexes(b[start:end], name+"=") {
		if t, ok := parseFlag(b, start+i); ok && t.end <= end {
			out = append(out, t)
		}
	}
	return out
}

// findFlag returns the only flag word called name in b[start:end].
func findFlag(b []byte, start, end int, name string) (flagTok, bool) {
	ts := flagsIn(b, start, end, name)
	if len(ts) != 1 {
		return flagTok{}, false
	}
	return ts[0], true
}

// dropParam removes the parameter p from an output flag's value
// (`params:dir` or `dir`); false if p is not one of its parameters.
func dropParam(value, p string) (string, bool) {
	params, dir, ok := strings.Cut(value, ":")
	if !ok {
		return "", false
	}
	var keep []string
	found := false
	for _, x := range strings.Split(params, ",") {
		if x == p {
			found = true
			continue
		}
		keep = append(keep, x)
	}
	if !found {
		return "", false
	}
	if len(keep) == 0 {
		return dir, true
	}
	return strings.Join(keep, ",") + ":" + dir, true
}

// grpcParams derives protoc-gen-go-grpc's output value from
// protoc-gen-go's: the same options except those only protoc-gen-go
// knows.
func grpcParams(goValue string, optOut bool) string {
	params, dir, ok := strings.Cut(goValue, ":")
	if !ok {
		params, dir = "", goValue
	}
	var keep []string
	for _, x := range strings.Split(params, ",") {
		if x != "" && !goOnlyParam(x) {
			keep = append(keep, x)
		}
	}
	if optOut {
		keep = append(keep, "require_unimplemented_servers=false")
	}
	if len(keep) == 0 {
		return dir
	}
	return strings.Join(keep, ",") + ":" + dir
}

// goOnlyParam reports options protoc-gen-go-grpc rejects.
func goOnlyParam(x string) bool {
	return strings.HasPrefix(x, "apilevelM") || strings.HasPrefix(x, "default_api_level=")
}
