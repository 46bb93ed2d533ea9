package svcpb

import "context"

// Base is a hand-written partial implementation servers build on.
type Base struct{}

func (Base) SayBye(context.Context, *HelloRequest) (*HelloReply, error) { return &HelloReply{}, nil }
