// Package cli writes the v1 text format of messages to files and stdout,
// and its module keeps that format in want.text (its CLI tests diff the
// files against it, as gnostic's do): each text call whose output can
// reach a file or stdout is refused, naming want.text; the text built
// for an error moves with a warning (issue 9, shape 8).
package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/golang/protobuf/proto"
)

// writeOut writes b to stdout ("-") or the named file.
func writeOut(name string, b []byte) {
	var w io.Writer = os.Stdout
	if name != "-" {
		f, _ := os.Create(name)
		defer f.Close()
		w = f
	}
	w.Write(b)
}

func dump(m proto.Message, name string) {
	b := []byte(proto.MarshalTextString(m)) // want "not rewritten: the produced text can reach a file or stdout \(written to w by Write at cli.go:24, through writeOut\), and this module keeps text in v1's format: cli/want.text:2 opens a nested message with"
	writeOut(name, b)
}

func text(m proto.Message) string {
	return proto.CompactTextString(m) // want "not rewritten: the produced text can reach a file or stdout \(printed on stdout by fmt.Println at cli.go:37, returned by text\)"
}

func show(m proto.Message) {
	fmt.Println(text(m))
}

func direct(m proto.Message) error {
	return proto.MarshalText(os.Stdout, m) // want "not rewritten: the produced text can reach a file or stdout \(written to os.Stdout at cli.go:41\)"
}

func describe(m proto.Message) error {
	return fmt.Errorf("unexpected %s", proto.CompactTextString(m)) // want "name:<… >" // want "importer passes one"
}
