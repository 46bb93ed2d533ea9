package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBrokenPackageWithNothingToMigrate: the DeepEqual rule selects files
// that import only reflect or testing. A package of such files that does
// not type-check (go-proto-validators' test/gogo lacks its generated
// code) is skipped with a review finding, not a reason to stop the run
// (exit 2 on the second run); a file of that kind excluded by build
// constraints gets no load and no finding (client_golang's windows test).
func TestBrokenPackageWithNothingToMigrate(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), []byte("module example.com/inc\n\ngo 1.21\n"))
	write(t, filepath.Join(dir, "ok", "ok.go"), []byte("package ok\n\n// V is a value.\nvar V = 1\n"))
	write(t, filepath.Join(dir, "broken", "b_test.go"), []byte("package broken\n\nimport (\n\t\"reflect\"\n\t\"testing\"\n)\n\nfunc TestX(t *testing.T) {\n\tif !reflect.DeepEqual(Missing{}, Missing{}) {\n\t\tt.Fail()\n\t}\n}\n"))
	write(t, filepath.Join(dir, "ok", "ok_windows_test.go"), []byte("package ok\n\nimport \"testing\"\n\nfunc TestW(t *testing.T) {}\n"))
	for _, args := range [][]string{{"go", "-C", dir, "-l", "./..."}, {"-C", dir, "-l", "./..."}} {
		code, out, errOut := protolift(t, args...)
		if code != exitOK || out != "" {
			t.Errorf("protolift %s: exit %d, stdout %q\n%s", strings.Join(args, " "), code, out, errOut)
		}
		if !strings.Contains(errOut, "broken/b_test.go:1:1: protolift.skipped: not checked: package example.com/inc/broken") {
			t.Errorf("protolift %s: the skipped package is not reported:\n%s", strings.Join(args, " "), errOut)
		}
		if strings.Contains(errOut, "ok_windows_test.go") {
			t.Errorf("protolift %s: the excluded file that needs nothing is reported:\n%s", strings.Join(args, " "), errOut)
		}
	}
}
