// Package apply is the one writer of protolift: it writes a change set to
// disk atomically. Nothing is written unless every file still has the
// content the stages read, and each file is replaced by renaming a
// complete temporary file over it, keeping its permissions.
package apply

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/protolift/protolift/internal/change"
)

// Write applies set. It first checks every file (unchanged on disk since
// it was read, directory writable), then writes each through a temp file
// and rename. If a write fails midway, files already renamed keep their
// new content and the error names the file that failed and those done.
func Write(set *change.Set) error {
	type plan struct {
		f    *change.File
		mode fs.FileMode
	}
	var plans []plan
	for _, f := range set.Files {
		mode := fs.FileMode(0o644)
		cur, err := os.ReadFile(f.Path)
		switch {
		case f.Created && errors.Is(err, fs.ErrNotExist):
		case f.Created && err == nil && bytes.Equal(cur, f.New):
			continue
		case err != nil:
			return fmt.Errorf("%s: cannot read before writing: %w", f.Path, err)
		case !bytes.Equal(cur, f.Old):
			return fmt.Errorf("%s: changed on disk since protolift read it; nothing was written, rerun protolift", f.Path)
		default:
			fi, err := os.Stat(f.Path)
			if err != nil {
				return err
			}
			mode = fi.Mode().Perm()
		}
		plans = append(plans, plan{f, mode})
	}
	// Phase one: every new content goes into a temp file beside its
	// target. A failure here leaves every target untouched.
	temps := make([]string, len(plans))
	cleanup := func() {
		for _, t := range temps {
			if t != "" {
				os.Remove(t)
			}
		}
	}
	for i, p := range plans {
		if p.f.Deleted {
			continue
		}
		t, err := writeTemp(p.f.Path, p.f.New, p.mode)
		if err != nil {
			cleanup()
			return fmt.Errorf("%s: %w (nothing was written)", p.f.Path, err)
		}
		temps[i] = t
	}
	// Phase two: renames, which do not fail on a working file system.
	var done []string
	for i, p := range plans {
		var err error
		if p.f.Deleted {
			err = os.Remove(p.f.Path)
		} else {
			err = os.Rename(temps[i], p.f.Path)
			temps[i] = ""
		}
		if err != nil {
			cleanup()
			return partial(p.f.Path, err, done)
		}
		done = append(done, p.f.Path)
	}
	return nil
}

func partial(path string, err error, done []string) error {
	return fmt.Errorf("%s: %w (already written: %v)", path, err, done)
}

func writeTemp(path string, data []byte, mode fs.FileMode) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".protolift-*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, mode)
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}
