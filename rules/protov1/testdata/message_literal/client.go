package message_literal

import (
	literalpb "example.com/cases/message_literal_pb"
)

// Unkeyed literals written against the old generated structs, which held
// the proto fields only (grpc-opentracing's tests: &testpb.SimpleRequest{payload}).
func requests(payload int32, req *literalpb.SimpleRequest) []any {
	return []any{
		&literalpb.SimpleRequest{payload},
		literalpb.Pair{"k", req, nil, "n"},
		[]*literalpb.SimpleRequest{{1}, {
			// the second one
			2,
		}},
		// Keyed literals stay as they are.
		&literalpb.SimpleRequest{Payload: payload},
		&literalpb.SimpleRequest{},
	}
}
