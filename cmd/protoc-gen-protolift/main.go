// Command protoc-gen-protolift is a protoc/buf plugin that writes
// protolift-report.md and protolift-report.json: the .proto migration
// hazards in the request and the Go API differences between an old and a
// new set of generators. See package protoplugin for its parameters.
package main

import "github.com/protolift/protolift/protoplugin"

func main() { protoplugin.Run() }
