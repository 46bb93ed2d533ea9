// Package jsonpb_compared compares what jsonpb.Marshaler produced:
// protojson's whitespace differs (`[1,2,"3"]` vs `[1, 2, "3"]`), so the
// comparison would start failing. jsonpb.Marshaler stays for the whole
// package (issue 9, shape 4).
package jsonpb_compared

import (
	"bytes"
	"os"

	"github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/types/known/structpb"
)

var m jsonpb.Marshaler

func same(l *structpb.ListValue) bool {
	s, err := m.MarshalToString(l) // want "not rewritten: the produced JSON is compared with != at compared.go:19"
	if err != nil || s != `[1,2,"3"]` {
		return false
	}
	return true
}

func sameBytes(l *structpb.ListValue, want []byte) bool {
	var buf bytes.Buffer
	if err := m.Marshal(&buf, l); err != nil { // want "not rewritten: the produced JSON is compared by bytes.Equal at compared.go:31"
		return false
	}
	got := buf.Bytes()
	return bytes.Equal(got, want)
}

func notEmpty(l *structpb.ListValue) bool {
	s, _ := m.MarshalToString(l)
	return s != ""
}

func update(l *structpb.ListValue) error {
	f, err := os.Create("testdata/list.golden")
	if err != nil {
		return err
	}
	defer f.Close()
	return m.Marshal(f, l) // want "not rewritten: the produced JSON is written to a golden file at compared.go:40"
}
