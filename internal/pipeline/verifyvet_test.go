package pipeline

import (
	"strings"
	"testing"
)

// The types of a copylocks message, outermost first: the gate looks for
// the first one a regenerated package of the module declares.
func TestLockChain(t *testing.T) {
	for msg, want := range map[string]string{
		"assignment copies lock value to *m: github.com/googleapis/gnostic/discovery.Parameter contains google.golang.org/protobuf/runtime/protoimpl.MessageState contains sync.Mutex":                   "github.com/googleapis/gnostic/discovery google.golang.org/protobuf/runtime/protoimpl sync",
		"call of reflect.DeepEqual copies lock value: google.golang.org/protobuf/types/pluginpb.CodeGeneratorRequest contains google.golang.org/protobuf/internal/impl.MessageState contains sync.Mutex": "google.golang.org/protobuf/types/pluginpb google.golang.org/protobuf/internal/impl sync",
		"range var v copies lock: example.com/m/a.Wrapper[int] contains example.com/m/pb.Msg contains sync.Mutex":                                                                                        "example.com/m/a example.com/m/pb sync",
		"func passes lock by value: sync.Mutex": "sync",
	} {
		if got := strings.Join(lockChain(msg), " "); got != want {
			t.Errorf("lockChain(%q) = %q, want %q", msg, got, want)
		}
	}
}

// A copylocks finding on a line a rule rewrote elsewhere: the copy
// (`want := msg`) is as it was, so the rule is not its cause; a copy the
// rewrite made or changed is.
func TestCopyUnchanged(t *testing.T) {
	old := "package p\n\nfunc f() {\n\tif want := msg; !reflect.DeepEqual(got, want) {\n\t}\n\tx := *a\n}\n"
	for _, c := range []struct {
		name      string
		new       string
		line, col int
		want      bool
	}{
		{"copy before the rewrite", "package p\n\nfunc f() {\n\tif want := msg; !proto.Equal(&got, &want) {\n\t}\n\tx := *a\n}\n", 4, 13, true},
		{"copy the rewrite made", "package p\n\nfunc f() {\n\tif want := *m; !reflect.DeepEqual(got, want) {\n\t}\n\tx := *a\n}\n", 4, 13, false},
		{"copy inside the rewrite", "package p\n\nfunc f() {\n\tif want := msg; !reflect.DeepEqual(*got, want) {\n\t}\n\tx := *a\n}\n", 4, 37, false},
		{"line unchanged", old, 6, 7, true},
		{"no expression there", old, 4, 2, false},
	} {
		if got := copyUnchanged([]byte(old), []byte(c.new), c.line, c.col); got != c.want {
			t.Errorf("%s: copyUnchanged = %v, want %v", c.name, got, c.want)
		}
	}
}

// The packages a vet message names types of: a printf finding on a
// regenerated message (grpc-gateway's integration test printed a
// message value with %q) names the package whose regeneration causes it.
func TestNamedTypePaths(t *testing.T) {
	for msg, want := range map[string]string{
		"(*testing.common).Errorf format %q has arg got of wrong type github.com/grpc-ecosystem/grpc-gateway/examples/internal/proto/examplepb.SimpleMessage": "testing github.com/grpc-ecosystem/grpc-gateway/examples/internal/proto/examplepb",
		"fmt.Sprintf format %d has arg *m of wrong type example.com/m/pb.Msg":                                                                                 "fmt example.com/m/pb",
		"fmt.Println call has possible Printf formatting directive %v":                                                                                        "fmt",
	} {
		if got := strings.Join(namedTypePaths(msg), " "); got != want {
			t.Errorf("namedTypePaths(%q) = %q, want %q", msg, got, want)
		}
	}
}
