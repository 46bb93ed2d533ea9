package apply

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// journalFile is the record inside the journal directory; backups sit
// beside it as backup-<index>. The directory without this file is the
// leftover of a run killed before its first change.
const journalFile = "journal.json"

// abortedFile, beside it, marks a transaction that was being undone
// after a failure: a run killed then is rolled back, never completed.
const abortedFile = "aborted"

// tx is one write transaction of a module.
type tx struct {
	root string // module root, symlinks resolved
	dir  string // journal directory
	journal
	names []string // the targets as the change set names them, for errors
}

// journal is what a killed run leaves for the next one to recover.
type journal struct {
	Files []entry  `json:"files"`
	Dirs  []string `json:"dirs,omitempty"` // created for new files, parents first
}

// entry is one target. Paths are relative to the module root, so a
// module moved after a kill still recovers. A hash is "" for a file that
// does not exist (before creation, after deletion).
type entry struct {
	Path string      `json:"path"` // symlinks resolved
	Temp string      `json:"temp"` // holds the new content before the rename
	Old  string      `json:"old,omitempty"`
	New  string      `json:"new,omitempty"`
	Mode fs.FileMode `json:"mode"`
}

func newTx(moduleDir string) (*tx, error) {
	abs, err := filepath.Abs(moduleDir)
	if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	return &tx{root: root, dir: journalDir(root)}, nil
}

// journalDir is where the journal of the module at root lives: in its
// .git directory when it has one (git ignores unknown entries there, so
// nobody commits a journal by accident), else beside go.mod with a dot
// name the go command ignores.
func journalDir(root string) string {
	git := filepath.Join(root, ".git")
	if fi, err := os.Stat(git); err == nil && fi.IsDir() {
		return filepath.Join(git, "protolift-journal")
	} else if err == nil {
		// A worktree or submodule: .git is a file naming the directory.
		data, _ := os.ReadFile(git)
		if d, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: "); ok {
			if !filepath.IsAbs(d) {
				d = filepath.Join(root, d)
			}
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				return filepath.Join(d, "protolift-journal")
			}
		}
	}
	return filepath.Join(root, ".protolift-journal")
}

func (t *tx) abs(rel string) string { return filepath.Join(t.root, rel) }

func (t *tx) backup(i int) string { return filepath.Join(t.dir, fmt.Sprintf("backup-%d", i)) }

// begin writes the journal and the backups, fsynced, then creates the
// directories new files need. The journal directory doubles as a lock:
// a second writer, or a journal nobody recovered, stops the run.
func (t *tx) begin(olds [][]byte) error {
	if err := os.Mkdir(t.dir, 0o700); errors.Is(err, fs.ErrExist) {
		return t.busy()
	} else if err != nil {
		return fmt.Errorf("creating the write journal: %w; nothing was changed", err)
	}
	sort.Strings(t.Dirs)
	err := func() error {
		for i, e := range t.Files {
			if e.Old != "" {
				if err := writeFile(t.backup(i), olds[i], 0o600); err != nil {
					return err
				}
			}
		}
		data, err := json.MarshalIndent(&t.journal, "", "\t")
		if err != nil {
			return err
		}
		tmp := filepath.Join(t.dir, journalFile+".tmp")
		if err := writeFile(tmp, data, 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(t.dir, journalFile)); err != nil {
			return err
		}
		syncDir(t.dir)
		syncDir(filepath.Dir(t.dir))
		return nil
	}()
	if err != nil {
		os.RemoveAll(t.dir)
		return fmt.Errorf("writing the journal %s: %w; nothing was changed", t.dir, err)
	}
	for _, d := range t.Dirs {
		if err := os.Mkdir(t.abs(d), 0o755); err != nil {
			return t.abort(t.abs(d), err)
		}
	}
	return nil
}

func (t *tx) busy() error {
	return fmt.Errorf("%s exists: another protolift run is writing this module, or one was killed (run protolift again to finish or undo its write); nothing was changed", t.dir)
}

// abort undoes a transaction whose step on path failed with cause.
func (t *tx) abort(path string, cause error) error {
	what := "writing " + path
	if path == "" {
		what = "finishing the write"
	}
	// Should this process die while undoing, Recover must undo the rest
	// too, not complete a write that failed. Without the mark (a full
	// disk) it may complete it instead, which is still all or nothing.
	if writeFile(filepath.Join(t.dir, abortedFile), nil, 0o600) == nil {
		syncDir(t.dir)
	}
	t.removeTemps()
	n, err := t.rollBack()
	if err == nil {
		err = t.end()
	}
	if err != nil {
		return fmt.Errorf("%s: %v; undoing the files already written failed too (%v): the journal %s keeps their old contents, and the next protolift run restores them", what, cause, err, t.dir)
	}
	if n > 0 {
		return fmt.Errorf("%s: %v; nothing was changed (the %d files already written were restored)", what, cause, n)
	}
	return fmt.Errorf("%s: %v; nothing was changed", what, cause)
}

// end makes the transaction's renames durable and removes the journal.
func (t *tx) end() error {
	t.removeTemps()
	for _, e := range t.Files {
		syncDir(filepath.Dir(t.abs(e.Path)))
	}
	// The record goes first: without it the directory is only leftovers.
	if err := os.Remove(filepath.Join(t.dir, journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	syncDir(filepath.Dir(t.dir))
	return os.RemoveAll(t.dir)
}

func (t *tx) removeTemps() {
	for _, e := range t.Files {
		os.Remove(t.abs(e.Temp))
	}
}

// rollBack gives every target its old content again (from the backups)
// and removes the directories the transaction created, when empty. It
// returns how many files it restored.
func (t *tx) rollBack() (int, error) {
	n := 0
	for i := len(t.Files) - 1; i >= 0; i-- {
		e := t.Files[i]
		cur, err := fileSum(t.abs(e.Path))
		if err != nil {
			return n, err
		}
		if cur == e.Old {
			continue
		}
		if cur != e.New {
			return n, fmt.Errorf("%s was changed by someone else meanwhile", t.abs(e.Path))
		}
		if err := hook("undo", i); err != nil {
			return n, err
		}
		if e.Old == "" {
			err = os.Remove(t.abs(e.Path))
		} else {
			err = t.restore(i)
		}
		if err != nil {
			return n, fmt.Errorf("restoring %s: %w", t.abs(e.Path), err)
		}
		n++
	}
	for i := len(t.Dirs) - 1; i >= 0; i-- {
		os.Remove(t.abs(t.Dirs[i]))
	}
	return n, nil
}

// restore puts target i's backup back through its temp file and a rename.
func (t *tx) restore(i int) error {
	e := t.Files[i]
	data, err := os.ReadFile(t.backup(i))
	if err != nil {
		return err
	}
	if sum(data) != e.Old {
		return fmt.Errorf("backup %s is damaged", t.backup(i))
	}
	tmp := t.abs(e.Temp)
	os.Remove(tmp)
	if err := writeFile(tmp, data, e.Mode); err != nil {
		return err
	}
	return os.Rename(tmp, t.abs(e.Path))
}

// rollForward finishes the renames and removals of a transaction whose
// temps are all complete. It returns how many files it changed.
func (t *tx) rollForward() (int, error) {
	n := 0
	for _, e := range t.Files {
		cur, err := fileSum(t.abs(e.Path))
		if err != nil {
			return n, err
		}
		if cur == e.New {
			continue
		}
		if e.New == "" {
			err = os.Remove(t.abs(e.Path))
		} else {
			err = os.Rename(t.abs(e.Temp), t.abs(e.Path))
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// fileSum is the hash of path's content, "" when it does not exist.
func fileSum(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return sum(data), nil
}

// Recover finishes or undoes the write of a protolift run that was
// killed while writing the module at moduleDir, and returns a sentence
// saying which ("" when there was nothing to recover). Call it before
// reading anything of the module.
//
// The rule: every target must have either its old or its new content (by
// hash). If every target still lacking its new content has a complete
// temp file (or is one to delete), the kill came during the renames,
// when every new content was already safely on disk: the write is
// completed (rolled forward). Otherwise, or when the journal marks the
// write as failed (the kill came while a failure was being undone), or
// when completing it fails, every target gets its old content back from
// the backups (rolled back). A target with any
// other content was changed by someone after the killed run; either
// choice would overwrite that change, so Recover changes nothing, keeps
// the journal and returns an error.
func Recover(moduleDir string) (string, error) {
	t, err := newTx(moduleDir)
	if err != nil {
		return "", err
	}
	found := false
	for _, d := range []string{t.dir, filepath.Join(t.root, ".protolift-journal")} {
		if _, err := os.Stat(d); err == nil {
			t.dir, found = d, true
			break
		}
	}
	if !found {
		return "", nil
	}
	data, err := os.ReadFile(filepath.Join(t.dir, journalFile))
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.RemoveAll(t.dir); err != nil {
			return "", err
		}
		return fmt.Sprintf("removed the unfinished journal %s of a killed run; that run had changed no file", t.dir), nil
	}
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(data, &t.journal); err != nil {
		return "", fmt.Errorf("%s: %w; nothing was changed: look at it and delete %s", filepath.Join(t.dir, journalFile), err, t.dir)
	}
	_, aborted := os.Stat(filepath.Join(t.dir, abortedFile))
	forward := aborted != nil
	for _, e := range t.Files {
		if !filepath.IsLocal(e.Path) || !filepath.IsLocal(e.Temp) {
			return "", fmt.Errorf("%s: path %q is outside the module; nothing was changed: look at it and delete %s", filepath.Join(t.dir, journalFile), e.Path, t.dir)
		}
		cur, err := fileSum(t.abs(e.Path))
		if err != nil {
			return "", err
		}
		switch {
		case cur == e.New:
		case cur != e.Old:
			return "", fmt.Errorf("%s has neither its content from before nor the one a killed protolift run was writing: it was changed since. Nothing was changed; its old content is in %s, the record in %s; delete that directory when done", t.abs(e.Path), t.dir, journalFile)
		case e.New != "":
			if s, _ := fileSum(t.abs(e.Temp)); s != e.New {
				forward = false
			}
		}
	}
	n := 0
	if forward {
		n, err = t.rollForward()
	}
	if !forward || err != nil {
		// A rename that fails again (the file became immutable, say) is
		// no reason to leave the module half written.
		forward = false
		t.removeTemps()
		n, err = t.rollBack()
	}
	if err == nil {
		err = t.end()
	}
	if err != nil {
		return "", fmt.Errorf("recovering the write of a killed run (journal %s): %w", t.dir, err)
	}
	if forward {
		return fmt.Sprintf("completed the write of a killed run (journal %s): %d more files got their new content; the module is as that run meant to leave it", t.dir, n), nil
	}
	return fmt.Sprintf("rolled back the write of a killed run (journal %s): %d files got their old content back; the module is as before that run", t.dir, n), nil
}

// RecoverTo finishes or undoes the write of an earlier run that was
// killed while writing, before this run reads the module, and says which
// on w.
func RecoverTo(moduleDir string, w io.Writer) error {
	msg, err := Recover(moduleDir)
	if msg != "" {
		fmt.Fprintf(w, "protolift: %s\n", msg)
	}
	return err
}
