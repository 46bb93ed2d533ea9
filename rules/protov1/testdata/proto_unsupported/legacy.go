package proto_unsupported

// legacy is a hand-written APIv1 message.
type legacy struct{ Name string }

func (m *legacy) Reset()         { *m = legacy{} }
func (m *legacy) String() string { return m.Name }
func (*legacy) ProtoMessage()    {}
