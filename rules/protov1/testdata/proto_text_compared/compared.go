// Package proto_text_compared compares the v1 text format: prototext
// prints nested messages as {…} where v1 printed <…>, so each compared
// call is refused; the others move with a warning (issue 9, shape 4).
package proto_text_compared

import (
	"bytes"
	"os"
	"reflect"
	"strings"

	"github.com/golang/protobuf/proto"
)

func equal(m proto.Message, want string) bool {
	got := proto.MarshalTextString(m) // want "not rewritten: the produced text is compared with == at compared.go:17"
	return strings.TrimSpace(got) == want
}

func contains(m proto.Message) bool {
	return strings.Contains(proto.CompactTextString(m), "<") // want "not rewritten: the produced text is compared by strings.Contains at compared.go:21"
}

func viaBuilder(m proto.Message, want []string) bool {
	var buf bytes.Buffer
	proto.MarshalText(&buf, m) // want "not rewritten: the produced text is compared by reflect.DeepEqual at compared.go:33"
	var sb strings.Builder
	sb.WriteString(buf.String())
	var lines []string
	for _, l := range strings.Split(sb.String(), "\n") {
		lines = append(lines, l)
	}
	return reflect.DeepEqual(lines, want)
}

func switched(m proto.Message) int {
	switch proto.CompactTextString(m) { // want "not rewritten: the produced text is compared by a switch at compared.go:37"
	case "":
		return 0
	}
	return 1
}

func golden(m proto.Message) error {
	s := proto.MarshalTextString(m) // want "not rewritten: the produced text is written to a golden file at compared.go:46"
	return os.WriteFile("testdata/msg.golden", []byte(s), 0o644)
}

func empty(m proto.Message) bool {
	return proto.CompactTextString(m) == "" // want "name:<… >" // want "importer passes one"
}

func shown(m proto.Message) {
	os.Stdout.WriteString(proto.MarshalTextString(m)) // want "name: <…>" // want "importer passes one"
}

var tm = proto.TextMarshaler{}

func viaMarshaler(m proto.Message) bool {
	return tm.Text(m) != "x" // want "not rewritten: the produced text is compared with != at compared.go:60"
}
