package grpc

import (
	"strconv"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Compression moves the deprecated gzip compressor options to registered
// compressors (spec C.1 WithCompressor/WithDecompressor, C.2):
//
//	grpc.WithCompressor(grpc.NewGZIPCompressor())    →  grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name))
//	grpc.WithDecompressor(grpc.NewGZIPDecompressor()), grpc.RPCDecompressor(grpc.NewGZIPDecompressor())  →  deleted
//
// Referring to gzip.Name imports google.golang.org/grpc/encoding/gzip,
// which registers the gzip compressor for compressing and decompressing.
// A decompressor option is only deleted when the file already imports
// that package or gets it from a rewritten compressor option, so gzip
// responses stay readable; otherwise it is reported with the blank import
// to add. The registered compressor is also advertised in
// grpc-accept-encoding and selected by each response's grpc-encoding:
// review.
//
// Reported (class X or not safely rewritable): the options with any other
// compressor (implement encoding.Compressor and register it),
// grpc.RPCCompressor (it forced compression of every response; the server
// now answers in the request's encoding), NewGZIPCompressorWithLevel
// (gzip.SetLevel is process-wide, not per client), other uses of the gzip
// constructors and the Compressor/Decompressor interfaces.
var Compression = &rule.Rule{
	Name:    "grpc.compression",
	Doc:     "gzip WithCompressor/WithDecompressor/RPCDecompressor → registered gzip compressor; other compressor APIs reported",
	Risk:    change.Review,
	Imports: []string{grpcPath},
	Run:     runCompression,
}

func runCompression(p *rule.Pass) {
	isGzip := func(e dst.Expr, ctor string) bool {
		call, ok := e.(*dst.CallExpr)
		return ok && calleeIs(p, call, grpcPath, ctor)
	}
	gzipAvailable := false
	for _, is := range p.File.Imports {
		if path, _ := strconv.Unquote(is.Path.Value); path == gzipPath {
			gzipAvailable = true
		}
	}
	for call := range rule.Nodes[*dst.CallExpr](p.Inspector()) {
		if calleeIs(p, call, grpcPath, "WithCompressor") && len(call.Args) == 1 && isGzip(call.Args[0], "NewGZIPCompressor") {
			gzipAvailable = true
		}
	}
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			switch {
			case calleeIs(p, n, grpcPath, "WithCompressor") && len(n.Args) == 1:
				if !isGzip(n.Args[0], "NewGZIPCompressor") {
					p.Report(n, change.Manual, "grpc.WithCompressor is deprecated: implement encoding.Compressor, register it with encoding.RegisterCompressor and select it by name", "grpc.WithDefaultCallOptions(grpc.UseCompressor(name))")
					return true
				}
				p.Changed(n, change.Review, "grpc.WithCompressor(gzip) → grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)) (the registered gzip compressor is used and advertised)")
				use := rule.Call(rule.QualifiedIdent(grpcPath, "UseCompressor"), rule.QualifiedIdent(gzipPath, "Name"))
				replace(c, rule.Call(rule.QualifiedIdent(grpcPath, "WithDefaultCallOptions"), use))
				p.Require(grpcModule, "v1.8.0")
			case (calleeIs(p, n, grpcPath, "WithDecompressor") || calleeIs(p, n, grpcPath, "RPCDecompressor")) && len(n.Args) == 1:
				name := "WithDecompressor"
				empty := "DialOption"
				if calleeIs(p, n, grpcPath, "RPCDecompressor") {
					name, empty = "RPCDecompressor", "ServerOption"
				}
				switch {
				case !isGzip(n.Args[0], "NewGZIPDecompressor"):
					p.Report(n, change.Manual, "grpc."+name+" is deprecated: implement encoding.Compressor and register it with encoding.RegisterCompressor; registered compressors decompress by the message's grpc-encoding", "encoding.RegisterCompressor(c)")
				case !gzipAvailable:
					p.Report(n, change.Manual, "grpc."+name+" is deprecated: delete it and register gzip by importing its package, so gzip messages stay readable", "import _ \"google.golang.org/grpc/encoding/gzip\"")
				default:
					p.Changed(n, change.Review, "grpc."+name+"(gzip) deleted: the gzip compressor registered by google.golang.org/grpc/encoding/gzip decompresses gzip messages")
					deleteOption(p, c, empty)
					p.Require(grpcModule, "v1.8.0")
				}
			case calleeIs(p, n, grpcPath, "RPCCompressor"):
				p.Report(n, change.Manual, "grpc.RPCCompressor is deprecated: it compressed every response; registered compressors (import google.golang.org/grpc/encoding/gzip) answer in the request's encoding, and grpc.SetSendCompressor(ctx, name) picks one per call", "")
			case calleeIs(p, n, grpcPath, "NewGZIPCompressorWithLevel"):
				p.Report(n, change.Manual, "grpc.NewGZIPCompressorWithLevel is deprecated: gzip.SetLevel sets the level of the registered gzip compressor for the whole process, so the change cannot be made per client automatically", "if err := gzip.SetLevel(level); err != nil { ... } // once, at init\ngrpc.UseCompressor(gzip.Name)")
			}
		case *dst.Ident:
			if n.Path == "" || isCallFun(c) {
				return true
			}
			for _, name := range []string{"Compressor", "Decompressor", "NewGZIPCompressor", "NewGZIPDecompressor", "WithCompressor", "WithDecompressor", "RPCCompressor", "RPCDecompressor", "NewGZIPCompressorWithLevel"} {
				if isPkgObj(p, n, grpcPath, name) {
					p.Report(n, change.Manual, "grpc."+name+" is deprecated: use encoding.Compressor implementations registered with encoding.RegisterCompressor (gzip: import google.golang.org/grpc/encoding/gzip) and select them with grpc.UseCompressor", "")
				}
			}
		}
		return true
	})
}
