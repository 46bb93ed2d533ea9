package proto_text

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/golang/protobuf/proto"
	v1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// legacy is a hand-written v1-only message.
type legacy struct{}

func (*legacy) Reset()         {}
func (*legacy) String() string { return "legacy" }
func (*legacy) ProtoMessage()  {}

func show(a *anypb.Any) string {
	// Multi-line dump.
	return proto.MarshalTextString(a /* any */) // trailing // want "name: <…>"
}

func compact(l *legacy) string {
	return fmt.Sprintf("<%s>", v1.CompactTextString(l)) // want "is a hand-written v1 message"
}

func dump(w io.Writer, a *anypb.Any) error {
	err := proto.MarshalText(w, a) // want "name: <…>"
	return err
}

func dumpReturn(w io.Writer, m proto.Message) error {
	return proto.CompactText(w, m) // want "is a v1 message interface"
}

func dumpStmt(a *anypb.Any) {
	var buf bytes.Buffer
	proto.MarshalText(&buf, a)          // want "name: <…>"
	_ = proto.CompactText(os.Stdout, a) // want "name:<… >"
}

func dumpIf(a *anypb.Any) error {
	if err := proto.MarshalText(os.Stderr, a); err != nil { // want "name: <…>"
		return err
	}
	return nil
}

func parse(s string, a *anypb.Any) error {
	return proto.UnmarshalText(s, a)
}

func parseLegacy(s string) error {
	return proto.UnmarshalText(s, &legacy{}) // want "is a hand-written v1 message"
}

func isParseErr(err error) bool {
	_, ok := err.(*proto.ParseError) // want "ParseError has no prototext counterpart"
	return ok
}

func marshaler(w io.Writer, a *anypb.Any) error {
	tm := proto.TextMarshaler{Compact: true}
	return tm.Marshal(w, a) // want "printed `<…>`"
}

const expand = true

var expanding = &proto.TextMarshaler{ExpandAny: expand}

func marshalerText(a *anypb.Any) string {
	if err := expanding.Marshal(os.Stdout, a); err != nil { // want "printed `<…>`"
		return ""
	}
	return expanding.Text(a) + (&proto.TextMarshaler{}).Text(a) // want "printed `<…>`" // want "printed `<…>`"
}

func fnValue() {
	f := proto.MarshalTextString // want "used as a function value"
	_ = f
}

func shadowed() int {
	proto := struct{ MarshalText int }{1}
	return proto.MarshalText
}

func inHeaders(m *anypb.Any) int {
	if proto.CompactTextString(m) == "" { // want "name:<… >"
		return 0
	}
	n := 0
	for range strings.Split(proto.MarshalTextString(m), "\n") { // want "name: <…>"
		n++
	}
	return n
}
