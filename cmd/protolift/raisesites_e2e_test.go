package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The smallest module whose migration raises golang/protobuf from v1.3 to
// v1.5 (a rewritten proto.Marshal needs google.golang.org/protobuf): the
// raise alone makes its hand-written test message panic in proto.Clone
// (a map field without protobuf_key/protobuf_val), and stderr says so at
// the field. Without the raise (go.mod already at v1.5.4) the same code
// gets no announcement.
func TestRaiseAnnouncedAtHandWrittenSites(t *testing.T) {
	if testing.Short() {
		t.Skip("full pipeline with a golang/protobuf raise through the module proxy; runs without -short")
	}
	const msgTest = `package app

import (
	"testing"

	"github.com/golang/protobuf/proto"
)

type bareMap struct {
	M map[string]string ` + "`protobuf:\"bytes,1,rep,name=m\"`" + `
}

func (m *bareMap) Reset()         { *m = bareMap{} }
func (m *bareMap) String() string { return "bareMap" }
func (*bareMap) ProtoMessage()    {}

func TestClone(t *testing.T) {
	if proto.Clone(&bareMap{M: map[string]string{"a": "b"}}) == nil {
		t.Fatal("no clone")
	}
}
`
	const app = "package app\n\nimport (\n\t\"github.com/golang/protobuf/proto\"\n\t\"github.com/golang/protobuf/ptypes/empty\"\n)\n\n// Encode encodes an empty message.\nfunc Encode() ([]byte, error) { return proto.Marshal(&empty.Empty{}) }\n"
	const site = "app/msg_test.go:10:2: protov1.raise.behaviour: with github.com/golang/protobuf raised to v1.4.0 or later, the map field bareMap.M of a hand-written message type has no protobuf_key/protobuf_val struct tags"
	for _, tc := range []struct {
		name, version string
		want          bool
	}{{"raised from v1.3.3", "v1.3.3", true}, {"already v1.5.4", "v1.5.4", false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "go.mod"), []byte("module example.com/raise\n\ngo 1.21\n\nrequire github.com/golang/protobuf "+tc.version+"\n"))
			write(t, filepath.Join(dir, "app", "app.go"), []byte(app))
			write(t, filepath.Join(dir, "app", "msg_test.go"), []byte(msgTest))
			goIn(t, dir, "mod", "tidy")
			code, _, errOut := protolift(t, "-C", dir, "-w", "./...")
			if code == exitError {
				t.Fatalf("exit 2\n%s", errOut)
			}
			gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			if got := strings.Contains(errOut, site); got != tc.want {
				t.Errorf("announced at the field: %v, want %v (go.mod now:\n%s)\nstderr:\n%s", got, tc.want, gomod, errOut)
			}
			if tc.want && strings.Contains(string(gomod), "github.com/golang/protobuf v1.3") {
				t.Errorf("go.mod still requires golang/protobuf v1.3:\n%s", gomod)
			}
			if tc.want {
				// What the announcement says: the test that passed on
				// v1.3 now panics in proto.Clone.
				cmd := exec.Command("go", "test", "-count=1", "./app")
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				if err == nil || !strings.Contains(string(out), "panic") {
					t.Errorf("the migrated test does not panic (%v):\n%s", err, out)
				}
			}
			if strings.Count(errOut, "protov1.raise.behaviour") != map[bool]int{true: 1, false: 0}[tc.want] {
				t.Errorf("other raise announcements:\n%s", errOut)
			}
		})
	}
}
