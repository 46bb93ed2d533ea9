package grpc

import (
	"go/token"
	"strconv"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Misc covers the remaining deprecated grpc identifiers (spec C.2, C.6):
//
//	import _ "google.golang.org/grpc/resolver/passthrough"  →  removed
//
// grpc itself imports the passthrough resolver, so the blank import
// registers nothing new: safe. Reported: grpc.Stream (replace it with
// grpc.ClientStream or grpc.ServerStream depending on the side, which the
// rule can't tell from a type alone) and grpc.ServiceConfig /
// grpc.MethodConfig (service configs are JSON given with
// grpc.WithDefaultServiceConfig or by the resolver).
var Misc = &rule.Rule{
	Name:    "grpc.misc",
	Doc:     "blank import of resolver/passthrough removed; grpc.Stream, ServiceConfig, MethodConfig reported",
	Risk:    change.Safe,
	Imports: []string{grpcPath, passthroughPath},
	Run:     runMisc,
}

const passthroughPath = "google.golang.org/grpc/resolver/passthrough"

func runMisc(p *rule.Pass) {
	dropPassthroughImport(p)
	walk(p, func(c *cursor) bool {
		n := refIdent(c)
		if n == nil {
			return true
		}
		switch {
		case isPkgObj(p, n, grpcPath, "Stream"):
			p.Report(n, change.Manual, "grpc.Stream is deprecated: use grpc.ClientStream on the client side or grpc.ServerStream on the server side", "grpc.ServerStream")
		case isPkgObj(p, n, grpcPath, "ServiceConfig"), isPkgObj(p, n, grpcPath, "MethodConfig"):
			p.Report(n, change.Manual, "grpc."+n.Name+" is deprecated: give the service config as JSON with grpc.WithDefaultServiceConfig (or from the resolver)",
				"grpc.WithDefaultServiceConfig(`{\"methodConfig\": [{\"name\": [{\"service\": \"pkg.Service\"}], \"waitForReady\": true, \"timeout\": \"1s\"}]}`)")
		}
		return true
	})
}

// dropPassthroughImport deletes blank imports of the deprecated
// passthrough package, and the import declaration if nothing is left.
func dropPassthroughImport(p *rule.Pass) {
	var decls []dst.Decl
	for _, d := range p.File.Decls {
		gd, ok := d.(*dst.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			decls = append(decls, d)
			continue
		}
		var specs []dst.Spec
		for _, s := range gd.Specs {
			is := s.(*dst.ImportSpec)
			if path, _ := strconv.Unquote(is.Path.Value); path == passthroughPath && is.Name != nil && is.Name.Name == "_" {
				p.Changed(is, change.Safe, "blank import of resolver/passthrough removed: grpc registers the passthrough resolver itself")
				continue
			}
			specs = append(specs, s)
		}
		gd.Specs = specs
		if len(specs) > 0 {
			decls = append(decls, d)
		}
	}
	p.File.Decls = decls
	var imports []*dst.ImportSpec
	for _, is := range p.File.Imports {
		if path, _ := strconv.Unquote(is.Path.Value); path == passthroughPath && is.Name != nil && is.Name.Name == "_" {
			continue
		}
		imports = append(imports, is)
	}
	p.File.Imports = imports
}
