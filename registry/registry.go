// Package registry is the one table of protolift's Go rewrite rules. Rules
// run in the order listed; names are stable so users can enable or
// disable them (`-rules=protov1,-protov1.jsonpb`).
package registry

import (
	"fmt"
	"strings"

	"github.com/protolift/protolift/rule"
	"github.com/protolift/protolift/rules/grpc"
	"github.com/protolift/protolift/rules/grpcdial"
	"github.com/protolift/protolift/rules/grpcserver"
	"github.com/protolift/protolift/rules/protov1"
)

// all lists every rule. Order matters where one rule's output would hide
// a pattern from another: call-site rules that need the original v1
// selectors (ptypes, jsonpb, proto functions) run before the import-path
// moves of the well-known types, which change identifiers wholesale.
var all = []*rule.Rule{
	// protov1.raise.behaviour first: it reads the code as the run found it.
	protov1.RaiseSites,
	// protov1.proto.*: extensions first, because SetExtension unwraps the
	// v1 pointer helpers (proto.Int32(5) → int32(5)) that the scalars rule
	// would otherwise move to APIv2 first.
	protov1.ProtoExtensions,
	protov1.ProtoScalars,
	protov1.ProtoWire,
	protov1.ProtoRegistry,
	protov1.ProtoDeepEqual,
	protov1.ProtoUnsupported,
	protov1.ProtoCodec,
	protov1.PtypesTimestamp,
	protov1.PtypesDuration,
	protov1.PtypesAny,
	protov1.Jsonpb,
	protov1.ProtoText,
	protov1.Descriptor,
	// protov1.proto.message after every rule that wraps values in
	// protoadapt.MessageV2Of: a parameter whose uses all end up wrapped
	// becomes APIv2's proto.Message, and its wrappers go, in one run.
	protov1.ProtoMessage,
	// protov1.generator.camelcase before protov1.generator, which then
	// reports only the generator uses left.
	protov1.GeneratorCamelCase,
	protov1.Generator,
	protov1.WKTImports,
	protov1.MessageLiteral,
	grpcdial.Dial,
	grpcdial.WithDialer,
	grpc.Errors,
	grpc.Creds,
	grpc.Options,
	grpc.Codec,
	grpc.Compression,
	grpc.Metadata,
	grpc.Logging,
	grpc.Stats,
	grpc.Resolver,
	grpc.Balancer,
	grpc.Misc,
	grpcserver.Unimplemented,
	grpcserver.ServiceDesc,
}

// All returns every rule in run order.
func All() []*rule.Rule { return append([]*rule.Rule(nil), all...) }

// Select parses a rule selection such as "protov1,-protov1.jsonpb" or
// "grpc.dial": comma-separated names or name prefixes (a group, or any
// dotted prefix of rule names); a leading "-" removes. An empty spec, or
// one that starts with a removal, starts from every rule.
func Select(spec string) ([]*rule.Rule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "all" {
		return All(), nil
	}
	on := map[string]bool{}
	items := strings.Split(spec, ",")
	if strings.HasPrefix(strings.TrimSpace(items[0]), "-") {
		for _, r := range all {
			on[r.Name] = true
		}
	}
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		neg := strings.HasPrefix(it, "-")
		it = strings.TrimPrefix(strings.TrimPrefix(it, "-"), "+")
		matched := false
		for _, r := range all {
			if it == "all" || r.Name == it || strings.HasPrefix(r.Name, it+".") {
				on[r.Name] = !neg
				matched = true
			}
		}
		if !matched {
			return nil, fmt.Errorf("-rules: no rule or group named %q (protolift rules lists them)", it)
		}
	}
	var out []*rule.Rule
	for _, r := range all {
		if on[r.Name] {
			out = append(out, r)
		}
	}
	return out, nil
}
