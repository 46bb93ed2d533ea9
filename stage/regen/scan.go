package regen

import (
	"bufio"
	"bytes"
	"github.com/protolift/protolift/internal/genheader"
	"github.com/protolift/protolift/internal/protows"
	"regexp"
	"strings"
)

// genFile is one generated Go file found in the module.
type genFile struct {
	path      string // absolute
	content   []byte
	source    string // the "// source:" path, slash-separated
	sourceOff int    // byte offset of the source line, for diagnostics
	grpcOnly  bool   // written by protoc-gen-go-grpc
	pkg       string // Go package clause
	compiler  string // "v3.21.12" from a versions header, "" when absent
	inline    bool   // protoc-gen-go output that carries plugins=grpc service code
	generator string // the generator's version from the header, "" when absent
}

// The generators whose output the gen stage regenerates, as their
// headers name them.
const (
	goTool   = "protoc-gen-go"
	grpcTool = "protoc-gen-go-grpc"
)

var (
	protocGoLine   = regexp.MustCompile(`^//\s+protoc\s+(v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\s*$`)
	protocGRPCLine = regexp.MustCompile(`^// - protoc\s+(v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\s*$`)
	genGoLine      = regexp.MustCompile(`^//\s+protoc-gen-go\s+(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\s*$`)
	genGRPCLine    = regexp.MustCompile(`^// - protoc-gen-go-grpc\s+(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\s*$`)
)

// parseGenerated reads the header of a protoc-gen-go or protoc-gen-go-grpc
// file. It returns nil for anything else, including generated files of
// other tools and files without a "// source:" line (which cannot be
// regenerated from a known .proto). protoc-gen-go before March 2017 wrote
// the header without the versions block and with "DO NOT EDIT!" on a
// line of its own (genheader's old form): such a file has a source line
// and no generator or compiler version, like the 2017–2019 output.
func parseGenerated(path string, content []byte) *genFile {
	h := genheader.Read(content)
	if !h.Generated || (h.Tool != goTool && h.Tool != grpcTool) {
		return nil
	}
	g := &genFile{path: path, content: content, grpcOnly: h.Tool == grpcTool}
	sc := bufio.NewScanner(bytes.NewReader(content[h.Off:]))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	off := h.Off
	// protoc-gen-go puts the .proto file's leading comments (often a
	// license) above its own header, so the lines it writes are read
	// from the header line on, up to the package clause.
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		lineOff := off
		off += len(sc.Bytes()) + 1
		if rest, ok := strings.CutPrefix(line, "// source: "); ok {
			g.source = strings.TrimSpace(rest)
			g.sourceOff = lineOff
			continue
		}
		if m := genGoLine.FindStringSubmatch(line); m != nil && !g.grpcOnly {
			g.generator = m[1]
			continue
		}
		if m := genGRPCLine.FindStringSubmatch(line); m != nil && g.grpcOnly {
			g.generator = m[1]
			continue
		}
		if m := protocGoLine.FindStringSubmatch(line); m != nil && !g.grpcOnly {
			g.compiler = m[1]
			continue
		}
		if m := protocGRPCLine.FindStringSubmatch(line); m != nil && g.grpcOnly {
			g.compiler = m[1]
			continue
		}
		if rest, ok := strings.CutPrefix(line, "package "); ok {
			g.pkg = strings.TrimSpace(rest)
			break
		}
	}
	if g.source == "" || g.pkg == "" {
		return nil
	}
	if !g.grpcOnly {
		// plugins=grpc output (every golang/protobuf version) registers
		// services through a grpc.ServiceDesc in the same file.
		g.inline = bytes.Contains(content, []byte("\tgrpc \"google.golang.org/grpc\"")) &&
			bytes.Contains(content, []byte("grpc.ServiceDesc{"))
	}
	return g
}

// reader reads through the overlay.
type reader = protows.Overlay
