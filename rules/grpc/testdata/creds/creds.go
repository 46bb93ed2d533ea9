package creds

import (
	"context"
	"log"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/oauth"
)

func options() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithInsecure(), // plaintext for the sidecar
		grpc.WithUserAgent("x"),
	}
}

func dial(ctx context.Context) (*grpc.ClientConn, error) {
	opts := append(options() /* before */, grpc.WithInsecure() /* after */)
	return grpc.NewClient("dns:///svc", opts...)
}

var mkInsecure = grpc.WithInsecure // want "function value"

func perRPC(tok *oauth2.Token) []grpc.DialOption {
	c := oauth.NewOauthAccess(tok)
	var d = oauth.NewOauthAccess(&oauth2.Token{AccessToken: "t"})
	var e credentials.PerRPCCredentials = oauth.NewOauthAccess(tok)
	return []grpc.DialOption{grpc.WithPerRPCCredentials(c), grpc.WithPerRPCCredentials(d), grpc.WithPerRPCCredentials(e),
		grpc.WithPerRPCCredentials(oauth.NewOauthAccess(tok))}
}

func override(tc credentials.TransportCredentials) {
	if err := tc.OverrideServerName("api.example.com"); err != nil { // want "OverrideServerName is deprecated"
		log.Print(err)
	}
}

type myCreds struct {
	credentials.TransportCredentials
}

// Implementations keep the method and may fill the deprecated fields.
func (myCreds) OverrideServerName(string) error { return nil }
func (myCreds) Info() credentials.ProtocolInfo {
	info := credentials.ProtocolInfo{SecurityProtocol: "x", SecurityVersion: "1"}
	info.ServerName = "s"
	return info
}

func inspect(tc credentials.TransportCredentials) string {
	info := tc.Info()
	log.Print(info.ProtocolVersion)                    // want "ProtocolVersion is deprecated"
	return info.SecurityVersion + tc.Info().ServerName // want "SecurityVersion is deprecated" // want "ServerName is deprecated"
}

type grpcLocal struct{}

func (grpcLocal) WithInsecure() grpc.DialOption { return nil }

func shadow() grpc.DialOption {
	grpc := grpcLocal{}
	return grpc.WithInsecure()
}
