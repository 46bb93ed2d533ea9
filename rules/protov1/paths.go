// Package protov1 holds the rules that move code from
// github.com/golang/protobuf (APIv1) to google.golang.org/protobuf
// (APIv2): sections A and B of the migration spec. One rule per file.
package protov1

// Import paths the rules match and introduce.
const (
	v1Proto      = "github.com/golang/protobuf/proto"
	v1Ptypes     = "github.com/golang/protobuf/ptypes"
	v1Jsonpb     = "github.com/golang/protobuf/jsonpb"
	v1Descriptor = "github.com/golang/protobuf/descriptor"

	v2Proto         = "google.golang.org/protobuf/proto"
	v2Protojson     = "google.golang.org/protobuf/encoding/protojson"
	v2Prototext     = "google.golang.org/protobuf/encoding/prototext"
	v2Protowire     = "google.golang.org/protobuf/encoding/protowire"
	v2Protoreflect  = "google.golang.org/protobuf/reflect/protoreflect"
	v2Protoregistry = "google.golang.org/protobuf/reflect/protoregistry"
	v2Protodesc     = "google.golang.org/protobuf/reflect/protodesc"
	v2Protoadapt    = "google.golang.org/protobuf/protoadapt"
	v2Timestamppb   = "google.golang.org/protobuf/types/known/timestamppb"
	v2Durationpb    = "google.golang.org/protobuf/types/known/durationpb"
	v2Anypb         = "google.golang.org/protobuf/types/known/anypb"

	protobufModule = "google.golang.org/protobuf"
)

// minProtobuf is the lowest google.golang.org/protobuf release the
// rewritten code may require from the rules: v1.20.0, the first APIv2
// release. The engine raises it per file for packages and helpers added
// later (protowire v1.21.0, the well-known-type helpers v1.25.0,
// protoadapt v1.30.0), and the mod stage picks, among the releases the
// module's go directive allows, the lowest without known advisories
// (GO-2024-2611 is fixed in v1.33.0), so a module at go 1.12 can stay there.
const minProtobuf = "v1.20.0"
