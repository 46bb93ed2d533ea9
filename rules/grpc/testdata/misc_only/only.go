// Package misc_only only imports the passthrough resolver.
package misc_only

import _ "google.golang.org/grpc/resolver/passthrough"

// Target is dialled with the passthrough scheme.
const Target = "passthrough:///localhost:50051"
