package protov1

import (
	"os"
	"path/filepath"
	"testing"
)

// scanV1Text finds v1 text format in the module's own non-Go files,
// testdata included, and nothing else.
func TestScanV1Text(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  v1TextFile
	}{
		{"multi-line v1 in testdata", map[string]string{"testdata/a/pets.text": "name: \"x\"\ninfo: <\n  title: \"t\"\n>\n"}, v1TextFile{"testdata/a/pets.text", 2}},
		{"testdata first", map[string]string{"examples/pets.text": "info: <\n>\n", "x/testdata/pets.text": "\ninfo: <\n>\n"}, v1TextFile{"x/testdata/pets.text", 2}},
		{"else the first", map[string]string{"examples/pets.text": "info: <\n>\n", "z/pets.text": "\ninfo: <\n>\n"}, v1TextFile{"examples/pets.text", 1}},
		{"compact v1", map[string]string{"out.txt": "name:\"x\" info:<title:\"t\" > \n"}, v1TextFile{"out.txt", 1}},
		{"prototext output", map[string]string{"testdata/pets.text": "name: \"x\"\ninfo: {\n  title: \"t\"\n}\n"}, v1TextFile{}},
		{"an opening without its closing line", map[string]string{"README.md": "Usage: <\nfile\n"}, v1TextFile{}},
		{"Go and .proto sources", map[string]string{"x.go": "package x\n\nconst s = `info: <\n>\n`\n", "x.proto": "// info: <\n// >\n"}, v1TextFile{}},
		{"vendor and nested modules", map[string]string{"vendor/v/a.text": "info: <\n>\n", "sub/go.mod": "module sub\n", "sub/a.text": "info: <\n>\n"}, v1TextFile{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := scanV1Text(dir); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
