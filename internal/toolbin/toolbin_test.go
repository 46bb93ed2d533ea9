package toolbin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBuildConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds a tool with the go command")
	}
	// A fresh tool cache makes the three builds race for real; the Go
	// build cache stays where it is so the test takes seconds.
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	paths := make([]string, 3)
	errs := make([]error, 3)
	for i := range paths {
		wg.Go(func() { paths[i], errs[i] = Build(ctx, GoGRPCPkg, GoGRPCV100) })
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if paths[i] != paths[0] {
			t.Fatalf("different paths %q and %q", paths[i], paths[0])
		}
	}
	if !strings.HasPrefix(paths[0], os.Getenv("XDG_CACHE_HOME")) || filepath.Base(paths[0]) != "protoc-gen-go-grpc" {
		t.Errorf("binary name %q", paths[0])
	}
	out, err := exec.Command(paths[0], "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "protoc-gen-go-grpc 1.0") {
		t.Fatalf("%s --version: %v %s", paths[0], err, out)
	}
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Build(ctx, "not a path", "v1.0.0"); err == nil || !strings.Contains(err.Error(), "bad package path") {
		t.Errorf("got %v", err)
	}
	if _, err := Build(ctx, GoGRPCPkg, "latest"); err == nil || !strings.Contains(err.Error(), "bad version") {
		t.Errorf("got %v", err)
	}
}

func TestBinName(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/golang/protobuf/protoc-gen-go": "protoc-gen-go",
		"example.com/tool/v2":                      "tool",
		"example.com/x/cmd/v2tool":                 "v2tool",
	} {
		if got := binName(in); got != want {
			t.Errorf("binName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBufModuleDir(t *testing.T) {
	dir, err := bufModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "buf" {
		t.Errorf("got %s", dir)
	}
}

func TestBrokenCacheEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds a tool with the go command")
	}
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cache, err := CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := cachedDir(cache, GoGRPCPkg, GoGRPCV100)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), GoGRPCPkg, GoGRPCV100)
	if err == nil || !strings.Contains(err.Error(), "delete that directory") {
		t.Fatalf("got %v", err)
	}
}
