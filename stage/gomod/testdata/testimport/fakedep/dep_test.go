package fakedep

import (
	"testing"

	"google.golang.org/grpc/naming"
)

func TestResolver(t *testing.T) { var _ naming.Resolver }
