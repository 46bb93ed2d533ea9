package protov1

import (
	"os"
	"strings"
	"testing"
)

// TestDeepEqualHelperText: the helper protov1.proto.deepequal writes is,
// word for word, the function TestDeepEqualHelper checks.
func TestDeepEqualHelperText(t *testing.T) {
	src, err := os.ReadFile("proto_deepequal_behaviour_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), deepEqualHelperDecl) {
		t.Error("proto_deepequal_behaviour_test.go does not hold deepEqualHelperDecl: keep the two in step")
	}
}
