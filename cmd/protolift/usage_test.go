package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// flagsIn lists the flags a usage text documents.
func flagsIn(usage string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-zA-Z-]+)`).FindAllStringSubmatch(usage, -1) {
		out = append(out, m[1])
	}
	return out
}

// Each stage's -h prints that stage's usage with exactly the flags it
// takes, on stdout, exit 0; the full run takes every flag.
func TestStageHelp(t *testing.T) {
	common := []string{"C", "d", "fail-on-manual", "json", "l", "progress", "rdjsonl", "w"}
	for stage, own := range map[string][]string{
		"proto": {"edition", "go-package-map", "go-package-prefix", "prove"},
		"gen":   {"grpc-server", "verify"},
		"go":    {"grpc-server", "keep-output-format", "rules", "tags", "verify"},
		"mod":   {"latest", "tidy", "verify"},
		"":      {"edition", "go-package-map", "go-package-prefix", "grpc-server", "keep-output-format", "latest", "prove", "rules", "tags", "tidy", "verify"},
	} {
		want := append(slices.Clone(common), own...)
		slices.Sort(want)
		calls := [][]string{{stage, "-h"}, {"help", stage}}
		if stage == "" {
			calls = [][]string{{"-h"}, {"help"}}
		}
		for _, args := range calls {
			code, out, errOut := protolift(t, args...)
			if code != exitOK || errOut != "" {
				t.Errorf("protolift %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
			}
			got := flagsIn(out)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("protolift %s documents flags %v, want %v", strings.Join(args, " "), got, want)
			}
			head := "usage: protolift " + stage + " "
			if stage == "" {
				head = "Usage:\n  protolift [stage] [flags] [packages]"
			}
			if !strings.Contains(out, head) {
				t.Errorf("protolift %s: usage lacks %q:\n%s", strings.Join(args, " "), head, out)
			}
		}
	}
}

// The main help names the exit codes and gives examples.
func TestMainHelp(t *testing.T) {
	code, out, _ := protolift(t, "help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"Exit status:\n  0  success",
		"\n  1  findings that need a person remain",
		"\n  2  usage or processing error",
		"Examples:\n  protolift -C testdata/legacyapp ./...",
		"protolift -w ./...",
		`protolift -l ./...`,
		"protolift proto -edition=2023",
		"-w -json, which writes and reports what it wrote as JSON",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if _, out2, _ := protolift(t, "-h"); out2 != out {
		t.Error("protolift -h and protolift help differ")
	}
}

func TestCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rules", "-h"}, "usage: protolift rules"},
		{[]string{"help", "rules"}, "usage: protolift rules"},
		{[]string{"diffcheck", "-h"}, "usage: protolift diffcheck"},
		{[]string{"help", "diffcheck"}, "-fail-on string"},
		{[]string{"version", "-h"}, "usage: protolift version"},
	} {
		code, out, errOut := protolift(t, tc.args...)
		if code != exitOK || errOut != "" || !strings.Contains(out, tc.want) {
			t.Errorf("protolift %s: exit %d, stderr %q, stdout lacks %q:\n%s", strings.Join(tc.args, " "), code, errOut, tc.want, out)
		}
	}
}

// A command-line mistake is printed once, followed by a one-line hint;
// no usage text, nothing on stdout, exit 2.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"go", "-bogus"}, "protolift go: flag provided but not defined: -bogus"},
		{[]string{"-bogus"}, "protolift: flag provided but not defined: -bogus"},
		{[]string{"go", "-edition=2023"}, "protolift go: flag -edition belongs to the proto stage"},
		{[]string{"proto", "-grpc-server=keep"}, "protolift proto: flag -grpc-server belongs to the gen and go stage"},
		{[]string{"mod", "-tidy=maybe"}, `protolift mod: invalid boolean value "maybe" for -tidy`},
		{[]string{"-progress=sometimes"}, "protolift: -progress=sometimes: want auto, always or never"},
		{[]string{"go", "-grpc-server=nope"}, "protolift go: -grpc-server=nope: want embed, unsafe or keep"},
		{[]string{"go", "./...", "-w"}, "protolift go: flag -w after package patterns"},
		{[]string{"-prove=HEAD"}, "protolift: -prove belongs to the proto stage"},
		{[]string{"proto", "-prove=HEAD", "-w"}, "protolift proto: -prove checks files and rewrites nothing"},
		{[]string{"rules", "extra"}, "protolift rules: takes no arguments"},
		{[]string{"rules", "-x"}, "protolift rules: flag provided but not defined: -x"},
		{[]string{"diffcheck", "-x"}, "protolift diffcheck: flag provided but not defined: -x"},
		{[]string{"help", "nosuch"}, `protolift help: unknown command "nosuch"`},
		{[]string{"diffcheck", "-old=x@v1.0.0", "-format=xml"}, "protolift diffcheck: -format=xml: want text, json or markdown"},
		{[]string{"diffcheck"}, "protolift diffcheck: -old is required"},
	} {
		code, out, errOut := protolift(t, tc.args...)
		cmd := "protolift"
		if first := tc.args[0]; !strings.HasPrefix(first, "-") {
			cmd += " " + first
		}
		hint := "Run '" + cmd + " -h' for usage.\n"
		if code != exitError || out != "" || !strings.HasPrefix(errOut, tc.msg) || !strings.HasSuffix(errOut, "\n"+hint) || strings.Count(errOut, "\n") != 2 {
			t.Errorf("protolift %s: exit %d, stdout %q, stderr:\n%s\nwant %q then %q", strings.Join(tc.args, " "), code, out, errOut, tc.msg, hint)
		}
	}
}

// Output flags that ask for two different outputs are refused; -w -json
// writes and reports as JSON.
func TestConflictingOutputFlags(t *testing.T) {
	bad := [][]string{
		{"-d", "-json"}, {"-l", "-json"}, {"-d", "-l"}, {"-d", "-w"}, {"-l", "-w"},
		{"-json", "-rdjsonl"}, {"-w", "-rdjsonl"}, {"-l", "-rdjsonl"}, {"-d", "-rdjsonl"},
	}
	for _, pair := range bad {
		for _, stage := range []string{"", "go", "proto"} {
			args := append([]string{}, pair...)
			if stage != "" {
				args = append([]string{stage}, args...)
			}
			code, _, errOut := protolift(t, args...)
			want := "flags " + pair[0] + " and " + pair[1] + " cannot be used together"
			if code != exitError || !strings.Contains(errOut, want) {
				t.Errorf("protolift %s: exit %d, stderr %q, want %q", strings.Join(args, " "), code, errOut, want)
			}
		}
	}
	// -w -json passes flag checking (and then fails for the missing
	// directory, not for the flags).
	code, _, errOut := protolift(t, "go", "-w", "-json", "-C", t.TempDir())
	if code != exitError || strings.Contains(errOut, "cannot be used together") || !strings.Contains(errOut, "not inside a Go module") {
		t.Errorf("-w -json: exit %d, stderr %q", code, errOut)
	}
}

// -w -json writes the files and reports them, with written set.
func TestWriteJSON(t *testing.T) {
	dir := newModule(t, map[string]string{"app/app.go": legacyTimestamp})
	code, out, errOut := protolift(t, "go", "-C", dir, "-w", "-json", "./...")
	var res struct {
		Written bool
		Files   []struct{ File string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if !res.Written || len(res.Files) != 1 || res.Files[0].File != "app/app.go" {
		t.Errorf("JSON after -w: %+v", res)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "app", "app.go")); string(data) == legacyTimestamp {
		t.Error("-w -json did not write")
	}
}
