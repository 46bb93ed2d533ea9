package codec

import "github.com/golang/protobuf/ptypes/any"

// anyMsg names the Any type for tests; the package name any hides the
// builtin, so test code outside this file keeps using interface{}.
type anyMsg = any.Any
