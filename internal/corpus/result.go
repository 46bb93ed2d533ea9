package main

// Result is everything recorded for one module.
type Result struct {
	Entry   Entry  `json:"entry"`
	Name    string `json:"name"`
	WorkDir string `json:"work_dir,omitempty"`
	// Error is set when the harness itself could not finish (download
	// failed, budget exhausted, a command could not start).
	Error string `json:"error,omitempty"`
	// Broken is set when the baseline does not build: the module is listed
	// but not counted.
	Broken   string   `json:"baseline_broken,omitempty"`
	Baseline Baseline `json:"baseline"`
	Run      *Run     `json:"protolift,omitempty"`
	After    *State   `json:"after,omitempty"`
	Relist   *Relist  `json:"relist,omitempty"`
	Regress  *Regress `json:"regressions,omitempty"`
	// Control is the raise-only control, run for a module with test
	// regressions (ControlRun).
	Control *Control `json:"raise_control,omitempty"`
	// V1Before and V1After are the hand-written .go files importing
	// github.com/golang/protobuf before and after the run (module-relative).
	V1Before        []string `json:"v1_files_before,omitempty"`
	V1After         []string `json:"v1_files_after,omitempty"`
	V1GenAfter      int      `json:"v1_generated_files_after"`
	GoModV1Before   bool     `json:"gomod_requires_v1_before"`
	GoModV1After    bool     `json:"gomod_requires_v1_after"`
	TotalSeconds    float64  `json:"total_seconds"`
	BaselineSeconds float64  `json:"baseline_seconds"`
}

// Baseline is how the module was prepared and what it did before protolift.
type Baseline struct {
	Dir       string   `json:"download_dir,omitempty"`
	NoGoMod   bool     `json:"no_go_mod,omitempty"`   // go mod init was run
	Tidied    bool     `json:"tidied,omitempty"`      // go mod tidy was run (go.sum or go.mod stale)
	TidyWhy   string   `json:"tidy_reason,omitempty"` // the go command's complaint that asked for it
	GoVersion string   `json:"go_directive,omitempty"`
	State     State    `json:"state"`
	Steps     []string `json:"steps,omitempty"` // the commands run to prepare it
}

// State is what build, vet and test said at one point.
type State struct {
	BuildOK     bool              `json:"build_ok"`
	BuildErrors []string          `json:"build_errors,omitempty"`
	Vet         []string          `json:"vet,omitempty"` // normalised, sorted set
	Tests       map[string]string `json:"tests,omitempty"`
	TestFailOut map[string]string `json:"test_fail_output,omitempty"`
	TestCases   map[string]string `json:"test_cases,omitempty"` // "package TestName": pass, fail, skip
	TestError   string            `json:"test_error,omitempty"` // go test's own stderr when it printed no result
}

// Run is protolift -w ./...
type Run struct {
	Args         []string       `json:"args"`
	Exit         int            `json:"exit"`
	WallSeconds  float64        `json:"wall_seconds"`
	MaxRSSKB     int64          `json:"max_rss_kb"`
	ByRule       map[string]int `json:"diagnostics_by_rule,omitempty"`
	Diagnostics  int            `json:"diagnostics"`
	StderrTail   string         `json:"stderr_tail,omitempty"`
	FilesChanged int            `json:"files_changed"`
	LinesAdded   int            `json:"lines_added"`
	LinesDeleted int            `json:"lines_deleted"`
	Changed      []string       `json:"changed_files,omitempty"`
	Churn        *Churn         `json:"churn,omitempty"`
	TimedOut     bool           `json:"timed_out,omitempty"`
	// diags are the run's diagnostic lines, for LateFindings.
	diags string
}

// Relist is the second run, protolift -l ./...
type Relist struct {
	Exit       int      `json:"exit"`
	Files      []string `json:"files,omitempty"`
	Idempotent bool     `json:"idempotent"`
	StderrTail string   `json:"stderr_tail,omitempty"`
	// Late are the second run's findings the first did not report
	// (LateFindings).
	Late []string `json:"late_findings,omitempty"`
}

// Regress is what got worse.
type Regress struct {
	Build    []string `json:"build,omitempty"`      // error lines, when the module no longer builds
	Vet      []string `json:"vet,omitempty"`        // new vet lines
	Tests    []string `json:"tests,omitempty"`      // packages that passed and no longer do
	Cases    []string `json:"test_cases,omitempty"` // top-level tests that passed and no longer do, in packages that failed before
	Flaky    []string `json:"flaky,omitempty"`      // failed after, passed on the retry: not counted
	BuildBad bool     `json:"build_broken"`
}

// Classes of a test regression, by what it does in the raise-only control.
const (
	ClassRaise   = "raise"   // fails there too: the protobuf version raise alone causes it
	ClassRewrite = "rewrite" // passes there: protolift's rewrites cause it
	ClassNA      = "n/a"     // the control cannot tell (its test binary does not build, no result)
)

// Control is the raise-only control of a module whose tests regressed: a
// second copy of the baseline that gets only the protobuf module versions
// the run's go.mod ended with (go get, go mod tidy when the go command asks
// for it, no source change), where the regressed test packages run again.
// Migrating to APIv2 needs that raise (every google.golang.org/protobuf
// release requires golang/protobuf >= v1.4), so a test that fails the same
// way there fails because of the raise, not because of a rewrite.
type Control struct {
	// Raised are the module@version arguments given to go get: each
	// protobuf module whose requirement the run changed. None means the
	// run raised nothing, so the control is the baseline itself, where
	// every regressed test passed: all are the rewrites'.
	Raised []string `json:"raised"`
	Steps  []string `json:"steps,omitempty"` // the commands run to prepare it
	// NA says why the control tells nothing at all (go get or go build
	// failed, go test printed no result); Class is then empty.
	NA          string            `json:"not_applicable,omitempty"`
	Tests       map[string]string `json:"tests,omitempty"`      // each regressed package's result there
	Cases       map[string]string `json:"test_cases,omitempty"` // their top-level tests' results there
	TestFailOut map[string]string `json:"test_fail_output,omitempty"`
	NotBuilt    []string          `json:"tests_not_built,omitempty"` // packages whose test binary did not build there
	// Class maps each regression (a package of Regress.Tests, or a
	// "package TestName" of Regress.Cases) to ClassRaise, ClassRewrite or
	// ClassNA.
	Class   map[string]string `json:"class,omitempty"`
	Seconds float64           `json:"seconds"`
}

// RaiseOnly reports whether every test regression of r is the raise's by
// its control, and nothing else regressed.
func (r *Result) RaiseOnly() bool {
	c := r.Control
	if c == nil || c.NA != "" || len(c.Class) == 0 || r.Error != "" {
		return false
	}
	for _, cl := range c.Class {
		if cl != ClassRaise {
			return false
		}
	}
	g := r.Regress
	if g == nil || g.BuildBad || len(g.Vet) > 0 {
		return false
	}
	if r.Run != nil && (r.Run.Exit < 0 || r.Run.Exit > 1) {
		return false
	}
	return r.Relist == nil || r.Relist.Idempotent
}

// RewriteCaused reports whether a test regression of r passes in its
// control.
func (r *Result) RewriteCaused() bool {
	if r.Control == nil {
		return false
	}
	for _, cl := range r.Control.Class {
		if cl == ClassRewrite {
			return true
		}
	}
	return false
}

// Regressed reports whether the module counts as a failure for
// -fail-on-regression: the harness failed, protolift exited with 2 or more,
// or build, vet, tests or idempotence regressed. A broken baseline is not.
// A test regression counts whatever the raise-only control says of it: the
// raise is part of the migration protolift makes, and a user who runs it
// gets the failure either way (the control tells where to look, it does not
// excuse).
func (r *Result) Regressed() bool {
	if r.Broken != "" {
		return false
	}
	if r.Error != "" {
		return true
	}
	if r.Run != nil && (r.Run.Exit < 0 || r.Run.Exit > 1) {
		return true
	}
	if r.Regress != nil && (r.Regress.BuildBad || len(r.Regress.Vet) > 0 || len(r.Regress.Tests) > 0 || len(r.Regress.Cases) > 0) {
		return true
	}
	if r.Relist != nil && !r.Relist.Idempotent {
		return true
	}
	return false
}
