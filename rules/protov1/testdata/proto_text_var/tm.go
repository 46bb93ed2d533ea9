// Package proto_text_var has a package-level proto.TextMarshaler whose
// Marshal calls sit in every position: each one must follow the variable
// to prototext.MarshalOptions (issue 9, shape 1).
package proto_text_var

import (
	"bytes"
	"fmt"

	"github.com/golang/protobuf/proto"
)

var tm = proto.TextMarshaler{ExpandAny: true}

func dump(m proto.Message) (string, error) {
	var buf bytes.Buffer
	if err := tm.Marshal(&buf, m); err != nil { // want "printed `<…>`" // want "importer passes one"
		return "", err
	}
	return buf.String(), nil
}

func dumpElse(m proto.Message, skip bool) error {
	var buf bytes.Buffer
	if skip {
		return nil
	} else if err := tm.Marshal(&buf, m); err != nil { // want "printed `<…>`" // want "importer passes one"
		return err
	}
	return fmt.Errorf("again: %v", tm.Marshal(&buf, m)) // want "printed `<…>`" // want "importer passes one"
}
