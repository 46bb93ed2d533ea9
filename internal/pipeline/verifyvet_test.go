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
