package main

// The README's code blocks are part of the interface: every block is
// classified here and every command and file in them is run (the
// expensive ones only without -short). A block nothing here knows how to
// check fails TestREADMEBlocks.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/protolift/protolift/internal/toolbin"
	"github.com/protolift/protolift/registry"
)

// repoRoot is the directory holding README.md and go.mod.
var repoRoot = filepath.Join("..", "..")

type readmeBlock struct {
	lang  string
	line  int // of the opening fence
	lines []string
}

func (b readmeBlock) String() string { return fmt.Sprintf("README.md:%d (```%s)", b.line, b.lang) }

// readme returns README.md's text and its fenced code blocks, failing on
// indented code blocks (which carry no language and would escape the
// checks below).
func readme(t *testing.T) (string, []readmeBlock) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []readmeBlock
	var cur *readmeBlock
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if cur != nil {
			if l == "```" {
				blocks = append(blocks, *cur)
				cur = nil
				continue
			}
			cur.lines = append(cur.lines, l)
			continue
		}
		if lang, ok := strings.CutPrefix(l, "```"); ok {
			cur = &readmeBlock{lang: lang, line: i + 1}
			continue
		}
		if (strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t")) && (i == 0 || strings.TrimSpace(lines[i-1]) == "") {
			t.Errorf("README.md:%d: indented code block; use a fenced block with a language (sh, text, yaml) so a test checks it", i+1)
		}
	}
	if cur != nil {
		t.Fatalf("%v is not closed", *cur)
	}
	return string(data), blocks
}

// shCommand is one line of a ```sh block, with its comment removed.
type shCommand struct {
	block readmeBlock
	line  string
}

var (
	quickStartRE = regexp.MustCompile(`^go run \./cmd/protolift (.*)$`)
	benchRE      = regexp.MustCompile(`^go test (\./\S+) -run '\^\$' -bench (\w+) -benchtime \d+x -count \d+( \| tee \S+)?$`)
)

func shCommands(blocks []readmeBlock) []shCommand {
	var out []shCommand
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		for _, l := range b.lines {
			if cmd, _, _ := strings.Cut(l, "#"); strings.TrimSpace(cmd) != "" {
				out = append(out, shCommand{b, strings.TrimSpace(cmd)})
			}
		}
	}
	return out
}

var fuzzRE = regexp.MustCompile(`^go test (\S+) -run '\^\$' -fuzz '\^(\w+)\$'`)

// TestREADMEBlocks: the title comes first, then the two set-up commands;
// every block is one the tests below run or compare.
func TestREADMEBlocks(t *testing.T) {
	text, blocks := readme(t)
	if !strings.HasPrefix(text, "# protolift\n\n```sh\ngo run ./cmd/protolift -C testdata/legacyapp ./...") {
		t.Errorf("README.md must start with its title, then the quick start:\n%.200s", text)
	}
	if len(blocks) == 0 || len(blocks[0].lines) != 2 || !strings.HasPrefix(blocks[0].lines[1], "go test ./...") {
		t.Errorf("README.md's first block must hold the quick start and the test command: %v", blocks[:1])
	}
	_, help, _ := protolift(t, "-h")
	for _, b := range blocks {
		switch b.lang {
		case "sh":
			for _, c := range shCommands([]readmeBlock{b}) {
				switch {
				case c.line == "go test ./..." || c.line == "go test -short ./...":
					// The suite itself; running it from inside itself
					// would recurse.
				case strings.HasPrefix(c.line, "go run ./internal/corpus -list "):
					// The corpus run takes an hour; .ci/run runs its
					// subset. Here: the list it names exists.
					list := strings.Fields(c.line)[4]
					if _, err := os.Stat(filepath.Join("..", "..", list)); err != nil {
						t.Errorf("%v: %s: %v", b, c.line, err)
					}
				case fuzzRE.MatchString(c.line):
					// A fuzz target: it must exist in that package.
					m := fuzzRE.FindStringSubmatch(c.line)
					found := false
					tests, _ := filepath.Glob(filepath.Join("..", "..", filepath.FromSlash(m[1]), "*_test.go"))
					for _, f := range tests {
						data, _ := os.ReadFile(f)
						found = found || strings.Contains(string(data), "func "+m[2]+"(f *testing.F)")
					}
					if !found {
						t.Errorf("%v: %s: no fuzz target %s in %s", b, c.line, m[2], m[1])
					}
				case quickStartRE.MatchString(c.line):
					args := strings.Fields(quickStartRE.FindStringSubmatch(c.line)[1])
					if _, err := newFlags("", io.Discard).parse(args); err != nil {
						t.Errorf("%v: %s: %v", b, c.line, err)
					}
				case benchRE.MatchString(c.line):
				default:
					t.Errorf("%v: no test runs %q; teach readme_test.go to run it", b, c.line)
				}
			}
		case "text":
			// A synopsis: each line is in protolift -h. Anything else
			// in a text block is a diagram, which holds no command.
			for _, l := range b.lines {
				if strings.HasPrefix(l, "protolift ") && !strings.Contains(help, "\n  "+l+"\n") {
					t.Errorf("%v: %q is not in protolift -h", b, l)
				}
			}
		case "yaml":
			if !strings.HasPrefix(strings.Join(b.lines, "\n"), "version: v2\nplugins:\n") {
				t.Errorf("%v: a yaml block must be a complete buf.gen.yaml (version: v2)", b)
			}
		default:
			t.Errorf("%v: unknown block language %q (sh, text or yaml)", b, b.lang)
		}
	}
}

// TestREADMERulesTable: the README's rule table is what `protolift
// rules` prints, row for row.
func TestREADMERulesTable(t *testing.T) {
	text, _ := readme(t)
	var fromREADME bytes.Buffer
	w := tabwriter.NewWriter(&fromREADME, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tRISK\tDESCRIPTION")
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9._-]+)` \\| ([a-z/]+) \\| (.*) \\|$").FindAllStringSubmatch(text, -1) {
		fmt.Fprintf(w, "%s\t%s\t%s\n", m[1], m[2], m[3])
	}
	w.Flush()
	code, out, _ := protolift(t, "rules")
	if code != exitOK {
		t.Fatalf("protolift rules: exit %d", code)
	}
	got, want := strings.Split(fromREADME.String(), "\n"), strings.Split(out, "\n")
	for i := range max(len(got), len(want)) {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("README's rule table differs from protolift rules at row %d:\nREADME:          %s\nprotolift rules: %s", i, g, w)
			break
		}
	}
	if len(registry.All()) == 0 || !strings.Contains(out, registry.All()[0].Name) {
		t.Error("protolift rules lists no rules")
	}
}

// TestREADMEFlagTable: the README's flag table documents exactly the
// flags of the full run.
func TestREADMEFlagTable(t *testing.T) {
	text, _ := readme(t)
	inTable := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| (`-.*) \\| .* \\|$").FindAllStringSubmatch(text, -1) {
		for _, f := range regexp.MustCompile("`-([a-zA-Z-]+)").FindAllStringSubmatch(m[1], -1) {
			inTable[f[1]] = true
		}
	}
	defined := map[string]bool{}
	newFlags("", io.Discard).fs.VisitAll(func(f *flag.Flag) { defined[f.Name] = true })
	for name := range defined {
		if !inTable[name] {
			t.Errorf("README's flag table lacks -%s", name)
		}
	}
	for name := range inTable {
		if !defined[name] {
			t.Errorf("README's flag table documents -%s, which protolift does not have", name)
		}
	}
}

// TestHelpExamples: every example of the main help is a valid command
// line.
func TestHelpExamples(t *testing.T) {
	_, ex, ok := strings.Cut(mainUsage, "Examples:\n")
	ex, _, _ = strings.Cut(ex, "\n\n")
	if !ok || strings.Count(ex, "\n") < 3 {
		t.Fatalf("help has fewer than 3 examples:\n%s", ex)
	}
	for _, l := range strings.Split(ex, "\n") {
		cmd, _, _ := strings.Cut(l, "#")
		_, args, ok := strings.Cut(cmd, "protolift ")
		if !ok {
			t.Errorf("example %q does not run protolift", l)
			continue
		}
		args, _, _ = strings.Cut(args, ")")
		words := strings.Fields(args)
		stage := ""
		if len(words) > 0 && stageDoc[words[0]] != "" {
			stage, words = words[0], words[1:]
		}
		if _, err := newFlags(stage, io.Discard).parse(words); err != nil {
			t.Errorf("example %q: %v", l, err)
		}
	}
}

// TestREADMEQuickStart runs the quick start as written, from the
// repository root: a diff of the whole migration, nothing written.
func TestREADMEQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every stage on testdata/legacyapp (about a minute); run without -short")
	}
	_, blocks := readme(t)
	app := filepath.Join(repoRoot, "testdata", "legacyapp")
	before := treeHash(t, app)
	ran := 0
	for _, c := range shCommands(blocks) {
		if !quickStartRE.MatchString(c.line) {
			continue
		}
		ran++
		cmd := exec.Command("sh", "-c", c.line)
		cmd.Dir = repoRoot
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		// 1 means findings that need a person remain, printed to stderr.
		if (code != 0 && code != 1) || (code == 1 && !strings.Contains(errOut.String(), ": ")) {
			t.Errorf("%v: %s: %v\n%s", c.block, c.line, err, errOut.String())
			continue
		}
		if !strings.Contains(out.String(), "--- a/") || !strings.Contains(out.String(), "+++ b/") {
			t.Errorf("%v: %s printed no diff:\n%.2000s", c.block, c.line, out.String())
		}
	}
	if ran == 0 {
		t.Fatal("README has no quick start")
	}
	if treeHash(t, app) != before {
		t.Error("the quick start changed testdata/legacyapp")
	}
}

// treeHash hashes every file name and content under dir.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
		h.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestREADMEBenchmarks: each benchmark command names a benchmark of its
// package (listed with -list instead of run: a run takes minutes).
func TestREADMEBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the benchmarked packages' tests; run without -short")
	}
	_, blocks := readme(t)
	for _, c := range shCommands(blocks) {
		m := benchRE.FindStringSubmatch(c.line)
		if m == nil {
			continue
		}
		cmd := exec.Command("go", "test", m[1], "-run", "^$", "-list", "^Benchmark"+m[2]+"$")
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Benchmark"+m[2]+"\n") {
			t.Errorf("%v: %s: package %s has no benchmark %s: %v\n%s", c.block, c.line, m[1], m[2], err, out)
		}
	}
}

// TestREADMEBufGenYAML runs the README's buf.gen.yaml, as written, through
// the pinned buf with the plugin on PATH, on a one-file module.
func TestREADMEBufGenYAML(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin and runs buf generate; run without -short")
	}
	_, blocks := readme(t)
	var yaml string
	for _, b := range blocks {
		if b.lang == "yaml" {
			yaml = strings.Join(b.lines, "\n") + "\n"
		}
	}
	if yaml == "" {
		t.Fatal("README has no buf.gen.yaml")
	}
	ctx := context.Background()
	bufBin, err := toolbin.Buf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin, "./cmd/protoc-gen-protolift")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the plugin: %v\n%s", err, out)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "buf.gen.yaml"), []byte(yaml))
	write(t, filepath.Join(dir, "ping", "v1", "ping.proto"), []byte(`syntax = "proto3";

package ping.v1;

option go_package = "example.com/ping/gen/ping/v1;pingv1";

message PingRequest {
  string id = 1;
}

service PingService {
  rpc Ping(PingRequest) returns (PingRequest);
}
`))
	cmd := exec.CommandContext(ctx, bufBin, "generate")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "BUF_CACHE_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buf generate with the README's buf.gen.yaml: %v\n%s", err, out)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report", "protolift-report.md"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "report", "protolift-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		API *struct {
			Changes []struct{ Name string }
		}
		APIError string `json:"api_error"`
	}
	if err := json.Unmarshal(js, &rep); err != nil || rep.API == nil {
		t.Fatalf("report: %v, api_error %q", err, rep.APIError)
	}
	if !strings.Contains(string(md), "RegisterPingServiceServer") {
		t.Errorf("the report does not compare the service's API:\n%s", md)
	}
}
