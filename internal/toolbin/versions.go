package toolbin

// Generator packages and the versions protolift pins. Keeping them in one
// place lets the gen stage, diffcheck and the tests agree on what "current"
// and "legacy" mean.
const (
	// LegacyGoPkg is golang/protobuf's protoc-gen-go, the generator that
	// accepts plugins=grpc.
	LegacyGoPkg = "github.com/golang/protobuf/protoc-gen-go"
	// GoPkg is protobuf-go's protoc-gen-go.
	GoPkg = "google.golang.org/protobuf/cmd/protoc-gen-go"
	// GoGRPCPkg is the standalone gRPC generator.
	GoGRPCPkg = "google.golang.org/grpc/cmd/protoc-gen-go-grpc"
	// BufPkg is buf's command, built from the tools/buf module.
	BufPkg = "github.com/bufbuild/buf/cmd/buf"
)

const (
	// GoVersion must equal the google.golang.org/protobuf version in the
	// root go.mod: that version runs in process.
	GoVersion = "v1.36.12"
	// GoGRPCVersion is the "current" gRPC generator.
	GoGRPCVersion = "v1.6.2"

	// Legacy golang/protobuf generators (all accept plugins=grpc).
	LegacyGoV135 = "v1.3.5"
	LegacyGoV143 = "v1.4.3"
	LegacyGoV154 = "v1.5.4"

	// Older protoc-gen-go-grpc releases. v1.5.0 is not installable (its
	// go.mod has a replace directive), so v1.5.1 stands in for it.
	GoGRPCV100 = "v1.0.0"
	GoGRPCV151 = "v1.5.1"
)

// staticcheck judges migrated code in the end-to-end tests (its SA1019
// check finds uses of deprecated identifiers); tools/staticcheck pins the
// same version.
const (
	StaticcheckPkg     = "honnef.co/go/tools/cmd/staticcheck"
	StaticcheckVersion = "v0.8.2"
)

// GRPCVersion is the grpc-go release the rule tests compile against (the
// ruletest module requires it) and whose .proto files the proto stage's
// tests convert.
const GRPCVersion = "v1.85.0"
