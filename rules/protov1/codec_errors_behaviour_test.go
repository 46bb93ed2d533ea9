package protov1_test

import (
	"testing"

	protov1 "github.com/golang/protobuf/proto" //lint:ignore SA1019 the behaviour test compares the deprecated API with its replacement
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

// TestUnmarshalErrorTextComesWithTheRaise: a test that compares
// proto.Unmarshal's error text (grpc-gateway's codegenerator expects
// "unexpected EOF", golang/protobuf v1.3's io.ErrUnexpectedEOF, for the
// bytes "{}") fails after the migration whether or not
// protov1.proto.codec rewrites the call: golang/protobuf >= v1.4, which
// any module mixing v1 code with APIv2 needs, delegates Unmarshal to
// APIv2, and both return the same error. Refusing the rewrite where the
// error text is compared would keep nothing; only the test's expectation
// can change.
func TestUnmarshalErrorTextComesWithTheRaise(t *testing.T) {
	in := []byte("{}")
	errV1 := protov1.Unmarshal(in, new(pluginpb.CodeGeneratorRequest))
	errV2 := proto.Unmarshal(in, new(pluginpb.CodeGeneratorRequest))
	if errV1 == nil || errV2 == nil {
		t.Fatalf("Unmarshal(%q) succeeded: v1 %v, v2 %v", in, errV1, errV2)
	}
	if errV1.Error() != errV2.Error() {
		t.Errorf("golang/protobuf (raised) and APIv2 differ: %q vs %q", errV1, errV2)
	}
	if errV1.Error() == "unexpected EOF" {
		t.Errorf("golang/protobuf still returns v1.3's text %q", errV1)
	}
	t.Logf("v1.3: \"unexpected EOF\"; raised v1 and APIv2: %q", errV1)
}
