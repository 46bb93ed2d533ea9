package ptypes_any

import (
	pt "github.com/golang/protobuf/ptypes"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func aliased(a *anypb.Any) bool {
	return pt.Is(a, &wrapperspb.Int32Value{})
}

func methodOnResult(v *wrapperspb.Int32Value) (string, error) {
	a, err := pt.MarshalAny(v)
	if err != nil {
		return "", err
	}
	return pt.AnyMessageName(a)
}
