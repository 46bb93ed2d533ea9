package regen

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/protolift/protolift/internal/change"
)

// checkScripts reports generation steps that still ask for plugins=grpc:
// current protoc-gen-go rejects the parameter, and running the old
// generator again would undo the regeneration.
func checkScripts(res *Result, files []string, rd reader, goVer, grpcVer string) error {
	for _, p := range files {
		base := filepath.Base(p)
		isYAML := strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")
		if isYAML && !strings.HasPrefix(base, "buf.gen") {
			continue
		}
		b, err := rd.Read(p)
		if err != nil {
			return err
		}
		for off := 0; ; {
			i := bytes.Index(b[off:], []byte("plugins=grpc"))
			if i < 0 {
				break
			}
			start := off + i
			off = start + len("plugins=grpc")
			res.Report(change.Diagnostic{
				Path: p, Start: change.PositionAt(b, start), End: change.PositionAt(b, off),
				Rule: ScriptRule, Risk: change.Manual,
				Message:    "this generation step asks protoc-gen-go for plugins=grpc: current protoc-gen-go rejects it, and golang/protobuf's generator would bring back the code protolift gen replaced",
				Suggestion: "generate messages with google.golang.org/protobuf/cmd/protoc-gen-go " + goVer + " (--go_out) and services with google.golang.org/grpc/cmd/protoc-gen-go-grpc " + grpcVer + " (--go-grpc_out, or a second plugin in buf.gen.yaml), using the same output options",
			})
		}
	}
	return nil
}
