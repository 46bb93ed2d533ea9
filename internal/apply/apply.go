// Package apply is the one writer of protolift. It writes a change set as
// a transaction: afterwards every file has its new content or every file
// has its old content, also when a rename fails midway or the process is
// killed.
//
// How:
//  1. Every file is checked first: it still has the content the stages
//     read, and it lies inside the module (a symlink is followed to the
//     file it names, which must be inside the module too).
//  2. A journal is written and fsynced: for each target its path, the
//     SHA-256 of its old and new content, the name of its temp file and a
//     backup copy of its old content (see journalDir for where).
//  3. Each new content goes into a temp file beside its target (same
//     directory, so the rename below stays on one file system), with the
//     target's permission bits, fsynced.
//  4. The temps are renamed over their targets in path order (a deleted
//     file is removed). If one of these steps fails, every step already
//     done is undone from the backups and the error says nothing was
//     changed.
//  5. The directories are fsynced and the journal is removed.
//
// A run killed between 2 and 5 leaves the journal behind; Recover, which
// protolift calls before doing anything else, finishes or undoes that
// transaction (the rule is documented on Recover).
package apply

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/protolift/protolift/internal/change"
)

// testHook, set only by tests, runs before each step that changes the
// tree: ("temp", i) before writing the temp file of target i, ("rename",
// i) before committing target i, ("done", 0) before removing the journal.
// An error it returns fails that step; a hook may also kill the process.
var testHook func(step string, i int) error

// noSync, set only by tests, skips fsync: a SIGKILL does not lose what
// the kernel has cached, so the fault-injection tests do not need it,
// and it makes them many times slower.
var noSync bool

func hook(step string, i int) error {
	if testHook == nil {
		return nil
	}
	return testHook(step, i)
}

// Write applies set to the module rooted at moduleDir, all or nothing.
func Write(moduleDir string, set *change.Set) error {
	t, err := newTx(moduleDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(t.dir); err == nil {
		return t.busy()
	}
	// Targets are committed in path order, so a journal reads naturally
	// and the tests can name a step by its index.
	files := append([]*change.File(nil), set.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	var olds, news [][]byte
	seen := map[string]string{}
	for _, f := range files {
		e, old, skip, err := t.plan(f)
		if err != nil {
			return fmt.Errorf("%s: %w; nothing was changed", f.Path, err)
		}
		if skip {
			continue
		}
		if other, ok := seen[e.Path]; ok {
			return fmt.Errorf("%s and %s are the same file (through a symlink); protolift cannot give it two contents; nothing was changed", other, f.Path)
		}
		seen[e.Path] = f.Path
		t.Files = append(t.Files, e)
		t.names = append(t.names, f.Path)
		olds, news = append(olds, old), append(news, f.New)
	}
	if len(t.Files) == 0 {
		return nil
	}
	if err := t.begin(olds); err != nil {
		return err
	}
	for i, e := range t.Files {
		if e.New == "" {
			continue
		}
		err := hook("temp", i)
		if err == nil {
			err = writeFile(t.abs(e.Temp), news[i], e.Mode)
		}
		if err != nil {
			return t.abort(t.names[i], err)
		}
	}
	for i, e := range t.Files {
		err := hook("rename", i)
		if err == nil && e.New == "" {
			err = os.Remove(t.abs(e.Path))
		} else if err == nil {
			err = os.Rename(t.abs(e.Temp), t.abs(e.Path))
		}
		if err != nil {
			return t.abort(t.names[i], err)
		}
	}
	if err := hook("done", 0); err != nil {
		return t.abort("", err)
	}
	if err := t.end(); err != nil {
		return fmt.Errorf("every file was written, but removing the journal failed: %w (the next protolift run removes it)", err)
	}
	return nil
}

// plan checks one change and describes it as a journal entry. old is the
// content on disk (nil for a created file); skip is true for a file that
// already has its new content.
func (t *tx) plan(f *change.File) (e entry, old []byte, skip bool, err error) {
	real, err := t.resolve(f.Path)
	if err != nil {
		return e, nil, false, err
	}
	cur, err := os.ReadFile(real)
	switch {
	case f.Created && errors.Is(err, fs.ErrNotExist):
		e.Mode = 0o644
	case f.Created && err == nil && bytes.Equal(cur, f.New):
		return e, nil, true, nil
	case err != nil:
		return e, nil, false, fmt.Errorf("cannot read before writing: %w", err)
	case !bytes.Equal(cur, f.Old):
		return e, nil, false, errors.New("changed on disk since protolift read it; rerun protolift")
	case !f.Deleted && bytes.Equal(cur, f.New):
		return e, nil, true, nil
	default:
		fi, err := os.Stat(real)
		if err != nil {
			return e, nil, false, err
		}
		e.Mode = fi.Mode().Perm()
		e.Old = sum(cur)
		old = cur
	}
	if !f.Deleted {
		e.New = sum(f.New)
	}
	e.Path, _ = filepath.Rel(t.root, real)
	// Every entry gets a temp name, also a deleted file: undoing its
	// removal writes the backup there first.
	e.Temp = filepath.Join(filepath.Dir(e.Path), "."+filepath.Base(e.Path)+".protolift-"+strings.ToLower(rand.Text()[:10]))
	for d := filepath.Dir(real); d != t.root; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		rel, _ := filepath.Rel(t.root, d)
		if !contains(t.Dirs, rel) {
			t.Dirs = append(t.Dirs, rel)
		}
	}
	return e, old, false, nil
}

// resolve returns the file that writing path changes: path with every
// symlink resolved (for a file still to be created, its nearest existing
// directory's). Writing through a link keeps the link a link; a file
// outside the module is refused, as protolift writes only inside it.
func (t *tx) resolve(path string) (string, error) {
	dir, rest := path, ""
	for {
		if _, err := os.Lstat(dir); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir, rest = parent, filepath.Join(filepath.Base(dir), rest)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolving symlinks: %w", err)
	}
	real = filepath.Join(real, rest)
	if rel, err := filepath.Rel(t.root, real); err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("resolves (through a symlink) to %s, outside the module %s; protolift writes only inside the module (replace the link by a copy, or run protolift in the module that holds the file)", real, t.root)
	}
	return real, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// writeFile creates path (which must not exist) with data and mode, and
// fsyncs it, so that after a crash it is either absent, incomplete (its
// hash tells) or complete.
func writeFile(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil && !noSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// syncDir makes the renames and removals in dir durable. It is best
// effort: some file systems cannot fsync a directory.
func syncDir(dir string) {
	if noSync {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
