package protov1

import (
	"go/types"
	"strings"

	"github.com/protolift/protolift/rule"
)

// v1WKTModule is the module whose well-known-type, descriptor and plugin
// packages became aliases of APIv2's in v1.4.0.
const (
	v1WKTModule  = "github.com/golang/protobuf"
	minV1Aliases = "v1.4.0"
)

// v2AfterRun reports whether values of type t are APIv2 messages once the
// run is done, so they need no protoadapt.MessageV2Of: t implements the
// v2 interface now, or t is a message of golang/protobuf's well-known
// type, descriptor or plugin packages (ptypes/empty.Empty, say). Those
// are v1-only code in golang/protobuf <= v1.3, and since v1.4.0 aliases
// of the APIv2 types (emptypb.Empty): protov1.wkt.imports moves this
// file's references to the APIv2 packages, and the file requires
// golang/protobuf v1.4.0 so that a value typed by a package this run does
// not rewrite is the APIv2 type too. (The mod stage raises golang/protobuf
// to v1.5.4 anyway whenever it raises google.golang.org/protobuf.)
//
// A v1-only message of an old genproto release is APIv2 too once genproto
// is raised to genprotoAPIv2, which the file then prefers (genproto.go);
// if that raise is withdrawn, the rule runs again and this says false.
func v2AfterRun(p *rule.Pass, t types.Type) bool {
	if rule.ImplementsV2(t) {
		return true
	}
	if isOldGenprotoMessage(t) {
		return p.Prefer(genprotoModule, genprotoAPIv2)
	}
	if !isOldWKTMessage(t) {
		return false
	}
	p.Require(v1WKTModule, minV1Aliases)
	return true
}

// isOldWKTMessage reports whether t (or what it points to) is a message
// type declared in one of golang/protobuf's packages that moved to
// google.golang.org/protobuf/types.
func isOldWKTMessage(t types.Type) bool {
	if t == nil {
		return false
	}
	if pt, ok := t.(*types.Pointer); ok {
		t = pt.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	path := n.Obj().Pkg().Path()
	if _, moved := wktMoves[path]; !moved || !strings.HasPrefix(path, v1WKTModule+"/") {
		return false
	}
	return isV1Message(types.NewPointer(n))
}
