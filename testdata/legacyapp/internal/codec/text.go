package codec

import (
	"fmt"
	"io"

	"github.com/golang/protobuf/proto"
)

// AuditLine is the one-line form written to the audit log, where each
// change has to fit on a line that people grep.
func AuditLine(m proto.Message) string {
	return proto.CompactTextString(m)
}

// Pretty is the multi-line form used in the support console.
func Pretty(m proto.Message) string {
	return proto.MarshalTextString(m)
}

// DumpText writes m in text format, e.g. into a debug bundle.
func DumpText(w io.Writer, m proto.Message) error {
	if err := proto.MarshalText(w, m); err != nil {
		return fmt.Errorf("codec: writing %s as text: %v", proto.MessageName(m), err)
	}
	return nil
}

// ParseText reads the text format back, for replaying audit lines.
func ParseText(s string, m proto.Message) error {
	if err := proto.UnmarshalText(s, m); err != nil {
		return fmt.Errorf("codec: parsing %s text: %v", proto.MessageName(m), err)
	}
	return nil
}
