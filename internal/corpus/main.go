// Command corpus runs protolift over real modules and reports what it did to
// them: for each module@version of a list (fetched with go mod download, the
// module zip any Go user gets) it prepares a baseline that builds, records
// build, vet and per-package test results, runs protolift -w ./..., checks
// again with default flags, runs protolift -l ./... for idempotence, and
// prints a Markdown table. See README.md beside this file.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Report is the JSON file written by -json.
type Report struct {
	Command      []string  `json:"command"`
	Protolift    string    `json:"protolift"`
	Started      time.Time `json:"started"`
	TotalSeconds float64   `json:"total_seconds"`
	Results      []*Result `json:"results"`
}

func main() {
	var (
		list        = flag.String("list", "", "corpus list file: one module@version [tags=a,b] [pin=mod@v,...] [test=pattern,...] per line, # comments")
		dir         = flag.String("dir", "", "run on this local module directory instead of a list")
		protolift   = flag.String("protolift", "", "protolift binary (default: go build ./cmd/protolift of -repo into a temp dir)")
		repo        = flag.String("repo", ".", "protolift repository to build the binary from when -protolift is not given")
		jobs        = flag.Int("j", 1, "modules run in parallel")
		only        = flag.String("only", "", "run only the entries whose name contains this substring")
		keep        = flag.Bool("keep", false, "keep the work dirs (their paths are printed)")
		jsonOut     = flag.String("json", "", "write every result as JSON to this file")
		render      = flag.String("render", "", "print the table of JSON files written by -json (comma-separated; a later file's result for a module replaces an earlier one that was not run) and exit")
		testTimeout = flag.Duration("test-timeout", 5*time.Minute, "go test -timeout, per test binary")
		stepTimeout = flag.Duration("step-timeout", 20*time.Minute, "limit for each go command and each protolift run")
		budget      = flag.Duration("budget", 0, "no module starts after this much time has passed (0: no limit)")
		failOnReg   = flag.Bool("fail-on-regression", false, "exit 1 when any module regressed (or the harness failed on it)")
		tmpRoot     = flag.String("tmp", "", "parent directory of the work dirs (default: the system temp dir)")
		control     = flag.Bool("control", true, "for a module whose tests regressed, run them again on the baseline with only the run's protobuf module versions (go get, no rewrite) and classify each regression as the raise's or the rewrites'")
	)
	flag.Parse()
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "corpus: "+format+"\n", args...)
	}
	if *render != "" {
		var all []*Result
		for _, file := range strings.Split(*render, ",") {
			data, err := os.ReadFile(file)
			if err != nil {
				fatal(err)
			}
			var rep Report
			if err := json.Unmarshal(data, &rep); err != nil {
				fatal(fmt.Errorf("%s: %v", file, err))
			}
			all = mergeResults(all, rep.Results)
		}
		if *only != "" {
			var kept []*Result
			for _, r := range all {
				if strings.Contains(r.Name, *only) {
					kept = append(kept, r)
				}
			}
			all = kept
		}
		Markdown(os.Stdout, all)
		return
	}

	var entries []Entry
	switch {
	case *dir != "" && *list != "":
		fatal(fmt.Errorf("give -list or -dir, not both"))
	case *dir != "":
		abs, err := filepath.Abs(*dir)
		if err != nil {
			fatal(err)
		}
		entries = []Entry{{Dir: abs}}
	case *list != "":
		f, err := os.Open(*list)
		if err != nil {
			fatal(err)
		}
		entries, err = ParseList(f)
		f.Close()
		if err != nil {
			fatal(fmt.Errorf("%s: %v", *list, err))
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/corpus -list internal/corpus/corpus.txt [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if *only != "" {
		var kept []Entry
		for _, e := range entries {
			if strings.Contains(e.Name(), *only) {
				kept = append(kept, e)
			}
		}
		entries = kept
	}
	if len(entries) == 0 {
		fatal(fmt.Errorf("no entries to run"))
	}

	bin := *protolift
	if bin == "" {
		tmp, err := os.MkdirTemp(*tmpRoot, "corpus-bin-")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(tmp)
		bin = filepath.Join(tmp, "protolift")
		logf("building protolift from %s", *repo)
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/protolift")
		cmd.Dir = *repo
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fatal(fmt.Errorf("building protolift: %v", err))
		}
	} else if abs, err := filepath.Abs(bin); err == nil {
		bin = abs
	}

	h := &Harness{Protolift: bin, TmpRoot: *tmpRoot, TestTimeout: *testTimeout, StepTimeout: *stepTimeout, Keep: *keep, NoControl: !*control, Log: logf}
	rep := Report{Command: os.Args, Protolift: bin, Started: time.Now()}
	writeJSON := func(rep Report) {
		if *jsonOut == "" {
			return
		}
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			fatal(err)
		}
		if err := os.WriteFile(*jsonOut, append(data, '\n'), 0o644); err != nil {
			fatal(err)
		}
	}
	// The JSON file is rewritten after each module, so that an interrupted
	// run keeps what it finished (-render prints its table).
	results := RunAll(context.Background(), h, entries, *jobs, *budget, func(done []*Result) {
		partial := rep
		partial.Results = done
		partial.TotalSeconds = secs(time.Since(rep.Started))
		writeJSON(partial)
	})
	rep.Results = results
	rep.TotalSeconds = secs(time.Since(rep.Started))

	Markdown(os.Stdout, results)
	fmt.Printf("\nTotal wall time: %s.\n", time.Since(rep.Started).Round(time.Second))
	if *keep {
		fmt.Println("\nWork dirs:")
		for _, r := range results {
			if r.WorkDir == "" {
				continue
			}
			fmt.Printf("- %s: %s", r.Name, filepath.Join(r.WorkDir, "src"))
			if r.Control != nil && len(r.Control.Steps) > 0 {
				fmt.Printf(" (raise-only control: %s)", filepath.Join(r.WorkDir, "control"))
			}
			fmt.Println()
		}
	}
	writeJSON(rep)
	if *failOnReg {
		for _, r := range results {
			if r.Regressed() {
				os.Exit(1)
			}
		}
	}
}

// RunAll runs the entries, jobs at a time, keeping their order in the
// result. Once budget (if not 0) has passed, entries not yet started are
// reported as not run. progress, if not nil, is called after each module
// with the results finished so far, in list order.
func RunAll(ctx context.Context, h *Harness, entries []Entry, jobs int, budget time.Duration, progress func([]*Result)) []*Result {
	if jobs < 1 {
		jobs = 1
	}
	start := time.Now()
	results := make([]*Result, len(entries))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	var mu sync.Mutex
	report := func() {
		if progress == nil {
			return
		}
		var done []*Result
		for _, r := range results {
			if r != nil {
				done = append(done, r)
			}
		}
		progress(done)
	}
	for i, e := range entries {
		sem <- struct{}{}
		if budget > 0 && time.Since(start) > budget {
			mu.Lock()
			results[i] = &Result{Entry: e, Name: e.Name(), Error: "not run: the -budget was used up"}
			mu.Unlock()
			<-sem
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := h.Run(ctx, e)
			mu.Lock()
			results[i] = r
			report()
			mu.Unlock()
			h.logf("%s: done in %s%s", r.Name, time.Duration(r.TotalSeconds*float64(time.Second)).Round(time.Second), summary(r))
		}()
	}
	wg.Wait()
	return results
}

func summary(r *Result) string {
	switch {
	case r.Broken != "":
		return " (baseline broken)"
	case r.Error != "":
		return " (error: " + oneLine(r.Error) + ")"
	case r.Regressed():
		return " (regressed)"
	}
	return ""
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "corpus:", err)
	os.Exit(2)
}

// mergeResults adds more to all: a module already in all is replaced by its
// result in more unless that one was not run at all.
func mergeResults(all, more []*Result) []*Result {
	index := map[string]int{}
	for i, r := range all {
		index[r.Name] = i
	}
	for _, r := range more {
		i, ok := index[r.Name]
		switch {
		case !ok:
			index[r.Name] = len(all)
			all = append(all, r)
		case r.Run != nil || r.Broken != "" || all[i].Run == nil:
			all[i] = r
		}
	}
	return all
}
