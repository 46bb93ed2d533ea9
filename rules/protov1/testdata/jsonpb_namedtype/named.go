// Package jsonpb_namedtype exports a type defined on jsonpb.Marshaler:
// changing it would change the package's API and break its importers'
// &JSONPb{OrigName: true} literals (issue 9, shape 3).
package jsonpb_namedtype

import (
	"bytes"

	"github.com/golang/protobuf/jsonpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

type JSONPb jsonpb.Marshaler // want "type JSONPb is defined on jsonpb.Marshaler: changing it changes the package's exported API"

// Options is exported with a field of the option type.
type Options struct {
	JSON *jsonpb.Marshaler // want "exported field Options.JSON has type \*jsonpb.Marshaler: changing it changes the package's exported API"
}

// New returns one of the package's marshalers.
func New() *jsonpb.Marshaler { return &jsonpb.Marshaler{OrigName: true} } // want "exported function New has type func\(\) \*jsonpb.Marshaler: changing it changes the package's exported API"

func marshal(m *wrapperspb.StringValue) string {
	var buf bytes.Buffer
	if err := (*jsonpb.Marshaler)(&JSONPb{OrigName: true}).Marshal(&buf, m); err != nil {
		return ""
	}
	return buf.String()
}
