package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"regexp"
	"sort"
	"strings"
)

// diagRE matches a protolift diagnostic: file:line:col: rule: message.
var diagRE = regexp.MustCompile(`^(\S[^:]*):(\d+):(\d+): ([A-Za-z][A-Za-z0-9_.-]*): (.*)$`)

// CountByRule counts protolift's stderr diagnostics by rule. Lines that are
// not diagnostics (indented suggestions, summaries) are ignored.
func CountByRule(stderr string) map[string]int {
	counts := map[string]int{}
	for _, line := range strings.Split(stderr, "\n") {
		if m := diagRE.FindStringSubmatch(line); m != nil {
			counts[m[4]]++
		}
	}
	return counts
}

// LateFindings returns the findings of the second run (stderr) beyond
// what the first run (first, its diagnostic lines) reported: for each
// file and rule, the second run's findings past the first run's count
// there. Lines move when the first run rewrites a file, and a message
// may name a type differently once go.mod changed (proto.Message is an
// alias of protoiface.MessageV1 from golang/protobuf v1.4), so neither
// positions nor messages are compared. One run must report everything;
// a finding only the second run makes is under-reporting.
func LateFindings(first, second string) []string {
	count := map[string]int{}
	for _, line := range strings.Split(first, "\n") {
		if m := diagRE.FindStringSubmatch(line); m != nil {
			count[m[1]+": "+m[4]]++
		}
	}
	var late []string
	for _, line := range strings.Split(second, "\n") {
		m := diagRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		k := m[1] + ": " + m[4]
		if count[k] > 0 {
			count[k]--
			continue
		}
		late = append(late, k+": "+m[5])
	}
	return late
}

// RuleCount is one rule's number of diagnostics.
type RuleCount struct {
	Rule  string `json:"rule"`
	Count int    `json:"count"`
}

// TopRules sorts rule counts, largest first (then by name).
func TopRules(counts map[string]int) []RuleCount {
	var out []RuleCount
	for r, c := range counts {
		out = append(out, RuleCount{r, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// posRE matches a compiler or vet position: file.go:line:col: or file.go:line:
var posRE = regexp.MustCompile(`^(\S+?\.go):\d+(?::\d+)?: (.*)$`)

// NormalizeVet turns go vet's output into a sorted set of "file: message"
// lines: positions are dropped (a migration moves lines), the work
// directory's prefix and "./" are removed, and package headers (# pkg) and
// other non-diagnostic lines are left out. Messages that quote positions
// elsewhere keep them.
func NormalizeVet(out, workDir string) []string {
	set := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		line = strings.TrimPrefix(line, "vet: ")
		m := posRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		file := m[1]
		if workDir != "" {
			file = strings.TrimPrefix(file, strings.TrimSuffix(workDir, "/")+"/")
		}
		file = strings.TrimPrefix(file, "./")
		msg := m[2]
		if workDir != "" {
			msg = strings.ReplaceAll(msg, strings.TrimSuffix(workDir, "/")+"/", "")
		}
		set[file+": "+msg] = true
	}
	return sortedKeys(set)
}

// Diff returns the lines of after that are not in before.
func Diff(before, after []string) []string {
	seen := map[string]bool{}
	for _, l := range before {
		seen[l] = true
	}
	var out []string
	for _, l := range after {
		if !seen[l] {
			out = append(out, l)
		}
	}
	return out
}

// Test statuses of a package.
const (
	StatusPass = "pass"
	StatusFail = "fail"
	StatusSkip = "skip" // no test files, or every test skipped
)

// testEvent is the part of go test -json's (test2json) events read here.
type testEvent struct {
	Action     string
	Package    string
	ImportPath string // build-output events: "pkg [pkg.test]"
	Test       string
	Output     string
	// FailedBuild is set on a package's fail event when its test binary
	// did not build.
	FailedBuild string
}

// ParseTestJSON reads go test -json output and returns each package's
// result (pass, fail or skip) and the last lines of output of each failing
// package. Lines that are not JSON (build errors printed by the go command
// itself) are ignored: a package without a result counts as not passing.
func ParseTestJSON(data []byte) (status map[string]string, failOutput map[string]string) {
	status = map[string]string{}
	outputs := map[string]*bytes.Buffer{}
	for ev := range testEvents(data) {
		if ev.Action == "build-output" && ev.ImportPath != "" {
			// The compiler's (or go test's vet's) errors for a test binary
			// that did not build: kept with the package they stop.
			ev.Package, _, _ = strings.Cut(ev.ImportPath, " ")
			ev.Action = "output"
		}
		if ev.Package == "" {
			continue
		}
		switch ev.Action {
		case "output":
			b := outputs[ev.Package]
			if b == nil {
				b = new(bytes.Buffer)
				outputs[ev.Package] = b
			}
			b.WriteString(ev.Output)
		case StatusPass, StatusFail, StatusSkip:
			if ev.Test == "" {
				status[ev.Package] = ev.Action
			}
		}
	}
	return status, failOutputs(status, outputs)
}

// ParseTestCases reads go test -json output and returns the result of each
// top-level test, keyed "package TestName" (subtests are part of their
// parent).
func ParseTestCases(data []byte) map[string]string {
	cases := map[string]string{}
	for ev := range testEvents(data) {
		if ev.Package == "" || ev.Test == "" || strings.Contains(ev.Test, "/") {
			continue
		}
		switch ev.Action {
		case StatusPass, StatusFail, StatusSkip:
			cases[ev.Package+" "+ev.Test] = ev.Action
		}
	}
	return cases
}

// NotBuilt lists, sorted, the packages of go test -json output whose tests
// did not run because their test binary did not build or its setup (the
// module graph, a go.sum entry) failed.
func NotBuilt(data []byte) []string {
	set := map[string]bool{}
	for ev := range testEvents(data) {
		if ev.Package == "" || ev.Test != "" {
			continue
		}
		switch {
		case ev.Action == StatusFail && ev.FailedBuild != "":
			set[ev.Package] = true
		case ev.Action == "output" && (strings.Contains(ev.Output, "[build failed]") || strings.Contains(ev.Output, "[setup failed]")):
			set[ev.Package] = true
		}
	}
	return sortedKeys(set)
}

// testEvents yields the events of go test -json output; lines that are
// not JSON (build errors the go command prints itself) are skipped.
func testEvents(data []byte) iter.Seq[testEvent] {
	return func(yield func(testEvent) bool) {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if len(line) == 0 || line[0] != '{' {
				continue
			}
			var ev testEvent
			if json.Unmarshal(line, &ev) != nil {
				continue
			}
			if !yield(ev) {
				return
			}
		}
	}
}

func failOutputs(status map[string]string, outputs map[string]*bytes.Buffer) map[string]string {
	failOutput := map[string]string{}
	for pkg, st := range status {
		if st == StatusFail && outputs[pkg] != nil {
			failOutput[pkg] = tailLines(outputs[pkg].String(), 15)
		}
	}
	return failOutput
}

// TestRegressions lists the packages that passed before and do not pass
// after (failed, or no longer reported at all), sorted.
func TestRegressions(before, after map[string]string) []string {
	var out []string
	for pkg, st := range before {
		if st != StatusPass {
			continue
		}
		if after[pkg] != StatusPass {
			out = append(out, pkg)
		}
	}
	sort.Strings(out)
	return out
}

// CaseRegressions lists the top-level tests ("package TestName") that
// passed before and do not pass after, in packages that did not pass as a
// whole before (TestRegressions covers those): a package with one failing
// test still guards its other tests.
func CaseRegressions(beforePkgs, before, after map[string]string) []string {
	var out []string
	for key, st := range before {
		pkg, _, _ := strings.Cut(key, " ")
		if st != StatusPass || beforePkgs[pkg] == StatusPass {
			continue
		}
		if after[key] != StatusPass {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

// CountStatus counts packages with the given status.
func CountStatus(m map[string]string, status string) int {
	n := 0
	for _, st := range m {
		if st == status {
			n++
		}
	}
	return n
}

// BuildFailures summarises go build's output as its error lines (positions
// kept, work dir removed); a failure without any positioned line (a go.mod
// error) gives its first lines.
func BuildFailures(out, workDir string) []string {
	var errs []string
	var other []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		if workDir != "" {
			line = strings.ReplaceAll(line, strings.TrimSuffix(workDir, "/")+"/", "")
		}
		if posRE.MatchString(line) || strings.HasPrefix(line, "vet: ") {
			errs = append(errs, line)
		} else {
			other = append(other, line)
		}
	}
	if len(errs) == 0 {
		if len(other) > 5 {
			other = other[:5]
		}
		return other
	}
	return errs
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func headLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("… (%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}
