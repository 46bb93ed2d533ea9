package protofile

import (
	"context"
	"fmt"

	"github.com/protolift/protolift/internal/change"
)

// convertEdition is where the editions converter plugs in. Until the
// converter package is part of this branch, Run refuses Options.Edition
// up front, so this is reached only through that refusal path.
func convertEdition(ctx context.Context, path string, src []byte, opts Options) ([]byte, []change.Diagnostic, error) {
	return nil, nil, fmt.Errorf("%s: edition conversion is not built into this protolift; run without -edition", path)
}
