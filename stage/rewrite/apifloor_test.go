package rewrite

import "testing"

func TestProtobufFloor(t *testing.T) {
	old := "package p\n\nimport \"github.com/golang/protobuf/ptypes\"\n\nvar _ = ptypes.TimestampNow\n"
	for _, tc := range []struct{ src, want string }{
		{"package p\n\nimport \"google.golang.org/protobuf/proto\"\n\nvar _ = proto.Marshal\n", "v1.20.0"},
		{"package p\n\nimport \"google.golang.org/protobuf/encoding/protowire\"\n\nvar _ = protowire.AppendVarint\n", "v1.21.0"},
		{"package p\n\nimport \"google.golang.org/protobuf/types/known/timestamppb\"\n\nvar _ = timestamppb.Now\n", "v1.25.0"},
		// The type alone existed from v1.20.0.
		{"package p\n\nimport \"google.golang.org/protobuf/types/known/timestamppb\"\n\nvar _ *timestamppb.Timestamp\n", "v1.20.0"},
		{"package p\n\nimport \"google.golang.org/protobuf/protoadapt\"\n\nvar _ protoadapt.MessageV1\n", "v1.30.0"},
		{"package p\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n", ""},
	} {
		if got := protobufFloor([]byte(old), []byte(tc.src)); got != tc.want {
			t.Errorf("protobufFloor(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}
