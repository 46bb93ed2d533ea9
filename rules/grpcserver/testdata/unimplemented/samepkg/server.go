package samepkg

import "context"

// impl lives next to the generated code.
type impl struct{}

func (impl) Ping(context.Context, *PingRequest) (*PingReply, error) { return &PingReply{}, nil }

var _ PingServer = impl{}
