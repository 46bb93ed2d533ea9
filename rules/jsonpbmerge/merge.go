// Package jsonpbmerge holds the source of the helper that the
// protov1.jsonpb rule adds to packages whose jsonpb.Unmarshal
// calls decode into messages that may already hold data. The rule embeds
// this file and copies the function below into the rewritten package; it
// lives in a package of its own so that it is compiled and tested for
// real, against github.com/golang/protobuf/jsonpb itself.
package jsonpbmerge

import (
	"bytes"
	"encoding/json"
	"errors"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// protojsonMergeUnmarshal decodes the JSON document b into m the way
// github.com/golang/protobuf/jsonpb did, which protojson does not: jsonpb
// did not reset m, so fields the document names replace m's values
// wholesale (lists, maps and messages included), fields it does not name
// keep theirs, and a top-level null leaves m unchanged. (Added by
// protolift when migrating jsonpb.Unmarshal to protojson.)
func protojsonMergeUnmarshal(o protojson.UnmarshalOptions, b []byte, m proto.Message) error {
	if m == nil {
		return errors.New("invalid nil message")
	}
	dst := m.ProtoReflect()
	md := dst.Descriptor()
	if string(bytes.TrimSpace(b)) == "null" && md.FullName() != "google.protobuf.Value" {
		return nil
	}
	fresh := dst.New()
	checkRequired := !o.AllowPartial
	o.AllowPartial = true
	if err := o.Unmarshal(b, fresh.Interface()); err != nil {
		return err
	}
	replaced := func(fd protoreflect.FieldDescriptor) {
		if fresh.Has(fd) {
			dst.Set(fd, fresh.Get(fd))
		} else {
			dst.Clear(fd)
		}
	}
	fields := md.Fields()
	switch md.FullName() {
	case "google.protobuf.Empty":
	case "google.protobuf.Struct":
		// jsonpb added the document's keys to the existing map.
		fd := fields.ByNumber(1)
		into := dst.Mutable(fd).Map()
		fresh.Get(fd).Map().Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
			into.Set(k, v)
			return true
		})
	case "google.protobuf.ListValue":
		// jsonpb appended the document's values to the existing list.
		fd := fields.ByNumber(1)
		into, from := dst.Mutable(fd).List(), fresh.Get(fd).List()
		for i := 0; i < from.Len(); i++ {
			into.Append(from.Get(i))
		}
	case "google.protobuf.Any", "google.protobuf.Duration", "google.protobuf.Timestamp", "google.protobuf.Value",
		"google.protobuf.BoolValue", "google.protobuf.BytesValue", "google.protobuf.StringValue",
		"google.protobuf.Int32Value", "google.protobuf.UInt32Value", "google.protobuf.FloatValue",
		"google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.DoubleValue":
		// Their JSON form is not a field-by-field object: jsonpb set every field.
		for i := 0; i < fields.Len(); i++ {
			replaced(fields.Get(i))
		}
	default:
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(b, &doc); err != nil {
			return err
		}
		// A null member left the field alone, except for the fields whose
		// JSON null is a value (google.protobuf.Value and NullValue).
		named := func(fd protoreflect.FieldDescriptor, raw json.RawMessage, ok bool) bool {
			if !ok {
				return false
			}
			if string(raw) != "null" || fd.Cardinality() == protoreflect.Repeated {
				return string(raw) != "null"
			}
			if fd.Message() != nil {
				return fd.Message().FullName() == "google.protobuf.Value"
			}
			return fd.Enum() != nil && fd.Enum().FullName() == "google.protobuf.NullValue"
		}
		for i := 0; i < fields.Len(); i++ {
			fd := fields.Get(i)
			name := string(fd.Name())
			if fd.Kind() == protoreflect.GroupKind {
				name = string(fd.Message().Name())
			}
			raw, ok := doc[name]
			if r, found := doc[fd.JSONName()]; found {
				raw, ok = r, true
			}
			if named(fd, raw, ok) {
				replaced(fd)
			}
		}
		for key, raw := range doc {
			if len(key) < 2 || key[0] != '[' || key[len(key)-1] != ']' {
				continue
			}
			xname := protoreflect.FullName(key[1 : len(key)-1])
			xt, _ := protoregistry.GlobalTypes.FindExtensionByName(xname)
			if xt == nil {
				xt, _ = protoregistry.GlobalTypes.FindExtensionByName(xname.Append("message_set_extension"))
			}
			if xt == nil || xt.TypeDescriptor().ContainingMessage().FullName() != md.FullName() {
				continue
			}
			if fd := xt.TypeDescriptor(); named(fd, raw, true) {
				replaced(fd)
			}
		}
	}
	if checkRequired {
		return proto.CheckInitialized(m)
	}
	return nil
}
