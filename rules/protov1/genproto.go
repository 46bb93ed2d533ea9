package protov1

import (
	"go/types"
	"strings"

	"github.com/protolift/protolift/rule"
)

// google.golang.org/genproto's generated packages (googleapis/rpc/status,
// googleapis/api/httpbody, …) were protoc-gen-go 1.3 output, v1-only, up
// to v0.0.0-20200513103714-09dca8ec2884; a module that requires such a
// release would get its values wrapped in protoadapt.MessageV2Of wherever
// they meet an APIv2 API. What people migrating did instead is raise
// genproto to a release generated as APIv2, after which the wrapping is
// not needed. v2AfterRun does the same: it asks for genprotoAPIv2 with
// rule.Pass.Prefer, so that when the verification gate withdraws that
// raise (the module imports a genproto package the release no longer
// has, say) the rule runs again and wraps.
//
// How the release was found (the module has no tagged versions, so
// `go list -m -versions google.golang.org/genproto` lists nothing): the
// repository's history between the last v1-only pseudo-version and the
// first one seen with protoimpl, each candidate checked through the module
// proxy (`go mod download -json google.golang.org/genproto@<pseudo-version>`,
// then grep protoimpl over the zip's *.pb.go):
//
//   - v0.0.0-20200513103714-09dca8ec2884: 2356 .pb.go files, none uses
//     protoimpl (golang/protobuf v1.3.3, grpc v1.27.0, no
//     google.golang.org/protobuf);
//   - v0.0.0-20200514193133-8feb7f20f2a2 ("auto-regenerate .pb.go files
//     (#366)"): the first regenerated with protoc-gen-go v1.22.0
//     (googleapis/rpc/status/status.pb.go uses protoimpl); it requires
//     golang/protobuf v1.4.1, google.golang.org/protobuf v1.22.0, grpc
//     v1.27.0 and says go 1.11. But its protobuf/field_mask, api, ptype
//     and source_context packages register google/protobuf/*.proto files
//     that google.golang.org/protobuf v1.24.0 and later register too
//     (types/known/fieldmaskpb…): linked together they panic at init
//     ("duplicate registration", naming genproto cb27e3aa as the
//     minimum), and this run requires a much newer protobuf;
//   - v0.0.0-20200526211855-cb27e3aa2013 ("move well-known types
//     (#372)"): those four packages become aliases of
//     google.golang.org/protobuf's. It requires golang/protobuf v1.4.1,
//     google.golang.org/protobuf v1.23.1-0.20200526195155-81db48ad09cc
//     and grpc v1.27.0, and says go 1.11, so it fits every go directive
//     protolift allows. grpc v1.34.0 itself requires this release.
//
// So genprotoAPIv2 is cb27e3aa. In it 29 .pb.go files with messages were
// left as they were (stale, not regenerated), all in the packages of
// genprotoV1Only: their types stay v1-only and keep the wrapper.
const (
	genprotoModule = "google.golang.org/genproto"
	genprotoAPIv2  = "v0.0.0-20200526211855-cb27e3aa2013"
)

// genprotoV1Only are the packages of genproto (relative to the module)
// that hold v1-only messages at genprotoAPIv2.
var genprotoV1Only = map[string]bool{
	"googleapis/api/expr/v1alpha1":                   true,
	"googleapis/cloud/bigquery/datatransfer/v1":      true,
	"googleapis/cloud/recommendationengine/v1beta1":  true,
	"googleapis/cloud/secrets/v1beta1":               true,
	"googleapis/devtools/containeranalysis/v1alpha1": true,
	"googleapis/grafeas/v1":                          true,
}

// isOldGenprotoMessage reports whether t is a pointer to a v1-only
// message type of a genproto package that is APIv2 at genprotoAPIv2.
func isOldGenprotoMessage(t types.Type) bool {
	pt, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(pt.Elem()).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	rel, ok := strings.CutPrefix(n.Obj().Pkg().Path(), genprotoModule+"/")
	if !ok || genprotoV1Only[rel] {
		return false
	}
	return isV1Message(t) && !rule.ImplementsV2(t)
}
