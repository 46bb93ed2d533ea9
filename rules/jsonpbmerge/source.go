package jsonpbmerge

import _ "embed"

// Source is the text of merge.go, which the protov1.jsonpb rule parses and
// copies into protolift_helpers.go of the packages that need the helper.
//
//go:embed merge.go
var Source string
