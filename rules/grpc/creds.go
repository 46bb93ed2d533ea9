package grpc

import (
	"go/token"

	"github.com/dave/dst"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/rule"
)

// Creds rewrites deprecated credential APIs (spec C.1 WithInsecure, C.4):
//
//	grpc.WithInsecure()         →  grpc.WithTransportCredentials(insecure.NewCredentials())
//	oauth.NewOauthAccess(tok)   →  oauth.TokenSource{TokenSource: oauth2.StaticTokenSource(tok)}
//
// WithInsecure has been implemented by the first replacement since 1.43:
// safe. NewOauthAccess sends the same "authorization" header and also
// demands transport security, but it copied *tok when called while the
// token source keeps the pointer (later changes to the token are now
// seen) and its error texts differ: review. Where the result initialises
// a variable without a declared type, the struct is converted to
// credentials.PerRPCCredentials so the variable keeps its interface type.
//
// Reported (class X): calls of TransportCredentials.OverrideServerName
// (gRPC no longer calls it; set the authority on the channel with
// grpc.WithAuthority), reads of credentials.ProtocolInfo's SecurityVersion,
// ProtocolVersion and ServerName (unused or replaced by peer.AuthInfo and
// grpc.WithAuthority; writes in Info implementations are harmless and left),
// and both functions used as function values.
var Creds = &rule.Rule{
	Name:    "grpc.creds",
	Doc:     "grpc.WithInsecure → insecure.NewCredentials, oauth.NewOauthAccess → oauth.TokenSource; deprecated credential fields reported",
	Risk:    change.Review,
	Imports: []string{grpcPath, credsPath, oauthPath},
	Run:     runCreds,
}

var protocolInfoFields = map[string]string{
	"SecurityVersion": "use the AuthInfo of peer.FromContext(ctx) to learn the negotiated security",
	"ProtocolVersion": "it is unused by gRPC; drop the read",
	"ServerName":      "gRPC no longer uses it; set the authority with grpc.WithAuthority(name) on the channel",
}

func runCreds(p *rule.Pass) {
	walk(p, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *dst.CallExpr:
			switch {
			case calleeIs(p, n, grpcPath, "WithInsecure") && len(n.Args) == 0:
				p.Changed(n, change.Safe, "grpc.WithInsecure → grpc.WithTransportCredentials(insecure.NewCredentials())")
				creds := rule.Call(rule.QualifiedIdent(insecurePath, "NewCredentials"))
				replace(c, rule.Call(rule.QualifiedIdent(grpcPath, "WithTransportCredentials"), creds))
				p.Require(grpcModule, "v1.34.0")
			case calleeIs(p, n, oauthPath, "NewOauthAccess") && len(n.Args) == 1:
				p.Changed(n, change.Review, "oauth.NewOauthAccess → oauth.TokenSource{TokenSource: oauth2.StaticTokenSource(tok)} (the token is no longer copied when the credentials are created; error texts differ)")
				var e dst.Expr = &dst.CompositeLit{
					Type: rule.QualifiedIdent(oauthPath, "TokenSource"),
					Elts: []dst.Expr{&dst.KeyValueExpr{
						Key:   dst.NewIdent("TokenSource"),
						Value: rule.Call(rule.QualifiedIdent(oauth2Path, "StaticTokenSource"), n.Args[0]),
					}},
				}
				if untypedInit(c) {
					e = rule.Call(rule.QualifiedIdent(credsPath, "PerRPCCredentials"), e)
				}
				replace(c, e)
			case isOverrideServerName(p, n):
				p.Report(n, change.Manual, "TransportCredentials.OverrideServerName is deprecated and gRPC no longer calls it; set the server name on the channel instead (keep the method in your own implementations: it is still part of the interface)",
					"grpc.WithAuthority(name)")
			}
		case *dst.SelectorExpr:
			why, ok := protocolInfoFields[n.Sel.Name]
			if !ok || c.Name() == "Lhs" || !rule.IsNamed(p.TypeOf(n.X), credsPath, "ProtocolInfo") {
				return true
			}
			p.Report(n, change.Manual, "credentials.ProtocolInfo."+n.Sel.Name+" is deprecated: "+why, "")
		case *dst.Ident:
			if n.Path == "" || isCallFun(c) {
				return true
			}
			switch {
			case isPkgObj(p, n, grpcPath, "WithInsecure"):
				p.Report(n, change.Manual, "grpc.WithInsecure is deprecated and used as a function value; replace it with a closure",
					"func() grpc.DialOption { return grpc.WithTransportCredentials(insecure.NewCredentials()) }")
			case isPkgObj(p, n, oauthPath, "NewOauthAccess"):
				p.Report(n, change.Manual, "oauth.NewOauthAccess is deprecated and used as a function value; replace it with a closure",
					"func(tok *oauth2.Token) credentials.PerRPCCredentials { return oauth.TokenSource{TokenSource: oauth2.StaticTokenSource(tok)} }")
			}
		}
		return true
	})
}

// untypedInit reports whether the cursor is the value of a := or of a var
// declaration without a type, where the expression's type becomes the
// variable's.
func untypedInit(c *cursor) bool {
	switch parent := c.Parent().(type) {
	case *dst.AssignStmt:
		return parent.Tok == token.DEFINE && c.Name() == "Rhs"
	case *dst.ValueSpec:
		return parent.Type == nil && c.Name() == "Values"
	}
	return false
}

func isOverrideServerName(p *rule.Pass, call *dst.CallExpr) bool {
	return rule.IsMethod(p.Callee(call), credsPath, "TransportCredentials", "OverrideServerName")
}
