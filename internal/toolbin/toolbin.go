// Package toolbin builds pinned Go tools (protoc plugins, buf) once per
// version into a per-user cache directory and returns their paths.
//
// Old golang/protobuf generators cannot share a build with the current
// runtime, and buf cannot be imported as a library, so both are run as
// processes; building them is slow, so each version is built only once.
package toolbin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// CacheDir returns the directory that holds built tools:
// os.UserCacheDir()/protolift/bin.
func CacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("toolbin: no user cache directory (%v); set $XDG_CACHE_HOME or $HOME", err)
	}
	return filepath.Join(dir, "protolift", "bin"), nil
}

// Build returns the path of the command pkgPath at version, building it
// with `go install pkgPath@version` the first time. Concurrent callers
// (including other test processes) may build at the same time; each builds
// into its own temporary directory and the first rename wins.
func Build(ctx context.Context, pkgPath, version string) (string, error) {
	if err := module.CheckImportPath(pkgPath); err != nil {
		return "", fmt.Errorf("toolbin: bad package path %q: %v", pkgPath, err)
	}
	if !semver.IsValid(version) {
		return "", fmt.Errorf("toolbin: bad version %q for %s: want a semantic version such as v1.6.2", version, pkgPath)
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	final, err := cachedDir(cache, pkgPath, version)
	if err != nil {
		return "", err
	}
	exe := filepath.Join(final, binName(pkgPath))
	if isExecutable(exe) {
		return exe, nil
	}
	err = buildInto(ctx, cache, final, func(tmp string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "go", "install", pkgPath+"@"+version)
		cmd.Dir = tmp
		cmd.Env = append(toolEnv(), "GOBIN="+tmp)
		return cmd
	}, pkgPath+"@"+version)
	return checkBuilt(exe, err)
}

// checkBuilt catches a cache directory that exists without its binary
// (an interrupted manual copy, say), which the rename race would hide.
func checkBuilt(exe string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if !isExecutable(exe) {
		return "", fmt.Errorf("toolbin: %s exists but holds no executable %s; delete that directory and retry", filepath.Dir(exe), filepath.Base(exe))
	}
	return exe, nil
}

// Buf returns the path of the buf binary pinned by the tools/buf module of
// this repository, building it on first use (about two minutes cold).
func Buf(ctx context.Context) (string, error) {
	modDir, err := bufModuleDir()
	if err != nil {
		return "", err
	}
	gomod := filepath.Join(modDir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("toolbin: %v", err)
	}
	mf, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return "", fmt.Errorf("toolbin: %v", err)
	}
	version := ""
	for _, r := range mf.Require {
		if r.Mod.Path == "github.com/bufbuild/buf" {
			version = r.Mod.Version
		}
	}
	if version == "" {
		return "", fmt.Errorf("toolbin: %s does not require github.com/bufbuild/buf; add it with `go get -tool %s@VERSION` in %s", gomod, BufPkg, modDir)
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	final, err := cachedDir(cache, BufPkg, version)
	if err != nil {
		return "", err
	}
	exe := filepath.Join(final, "buf")
	if isExecutable(exe) {
		return exe, nil
	}
	err = buildInto(ctx, cache, final, func(tmp string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(tmp, "buf"), BufPkg)
		cmd.Dir = modDir
		cmd.Env = toolEnv()
		return cmd
	}, BufPkg+"@"+version)
	return checkBuilt(exe, err)
}

// buildInto runs the command made by mk with a fresh temporary directory
// under cache, then renames that directory to final. Losing the rename
// race to another process is success: both built the same thing.
func buildInto(ctx context.Context, cache, final string, mk func(tmp string) *exec.Cmd, what string) error {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return fmt.Errorf("toolbin: %v", err)
	}
	tmp, err := os.MkdirTemp(cache, ".build-")
	if err != nil {
		return fmt.Errorf("toolbin: %v", err)
	}
	defer os.RemoveAll(tmp)
	cmd := mk(tmp)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("toolbin: building %s: %v", what, ctx.Err())
		}
		return fmt.Errorf("toolbin: building %s failed (%v); check network access to the module proxy (GOPROXY) and the version:\n%s", what, err, strings.TrimSpace(stderr.String()))
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fmt.Errorf("toolbin: %v", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, statErr := os.Stat(final); statErr == nil {
			return nil
		}
		return fmt.Errorf("toolbin: installing %s into %s: %v", what, final, err)
	}
	return nil
}

// cachedDir names the cache directory of one tool version. The module
// escaping makes paths safe on case-insensitive file systems.
func cachedDir(cache, pkgPath, version string) (string, error) {
	esc, err := module.EscapePath(pkgPath)
	if err != nil {
		return "", fmt.Errorf("toolbin: bad package path %q: %v", pkgPath, err)
	}
	return filepath.Join(cache, filepath.FromSlash(esc)+"@"+version), nil
}

// binName is the file name go install gives the command: the last path
// element, skipping a major-version suffix.
func binName(pkgPath string) string {
	name := path.Base(pkgPath)
	if _, _, ok := module.SplitPathVersion(pkgPath); ok && strings.HasPrefix(name, "v") && semver.IsValid(name) {
		name = path.Base(path.Dir(pkgPath))
	}
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return name
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// toolEnv keeps the caller's environment but stops a go.work or a GOFLAGS
// -mod setting of the surrounding project from changing the tool build.
func toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOWORK=") || strings.HasPrefix(kv, "GOFLAGS=") || strings.HasPrefix(kv, "GOBIN=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOWORK=off", "GOFLAGS=-buildvcs=false")
}

// bufModuleDir finds tools/buf of this repository: first from the source
// location of this file (tests, go run), then from the current directory
// upwards (an installed binary run inside a protolift checkout).
func bufModuleDir() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		for dir := start; ; dir = filepath.Dir(dir) {
			cand := filepath.Join(dir, "tools", "buf", "go.mod")
			if _, err := os.Stat(cand); err == nil {
				return filepath.Dir(cand), nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("toolbin: %v", err)
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return "", fmt.Errorf("toolbin: cannot find tools/buf/go.mod above %s; run from a protolift checkout", strings.Join(starts, " or "))
}
