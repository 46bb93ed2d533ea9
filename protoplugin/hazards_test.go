package protoplugin

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/stage/protofile"
	"google.golang.org/protobuf/proto"
)

func compile(t *testing.T, root string, overlay map[string][]byte, files ...string) *generate.Request {
	t.Helper()
	req, err := generate.Compile(context.Background(), generate.CompileOptions{ImportPaths: []string{root}, Files: files, Overlay: overlay})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func brief(ds []change.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s:%d:%d %s", d.Path, d.Start.Line, d.Start.Col, d.Rule))
	}
	return out
}

func TestHazardsTestdata(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", "testdata", "protos"))
	req := compile(t, root, nil, "shop/v1/catalog.proto", "shop/v1/catalog_service.proto", "inventory/v1/inventory.proto")
	hz, err := Hazards(req.CodeGeneratorRequest)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(brief(hz), "\n")
	want := strings.Join([]string{
		"inventory/v1/inventory.proto:12:3 " + EnumJSONRule,
		"inventory/v1/inventory.proto:17:3 " + RequiredRule,
		"inventory/v1/inventory.proto:23:3 " + GroupRule,
	}, "\n")
	if got != want {
		t.Errorf("hazards:\n%s\nwant:\n%s", got, want)
	}
}

func TestHazardsSynthetic(t *testing.T) {
	root := t.TempDir()
	src := `syntax = "proto2";

package bad.v1;

import weak "google/protobuf/empty.proto";

message Foo {
  message Bar {
    optional string a = 1;
  }
  optional string user_id = 1;
  optional string user_name = 2;
  optional group Note = 3 {
    optional string text = 4;
  }
  optional string name = 5 [ctype = CORD];
  reserved "ok_name";
}

message Foo_Bar {
  optional string b = 1;
}

enum Kind {
  KIND_A = 1;
  Foo_Bar_x = 2;
}
`
	p := filepath.Join(root, "bad", "v1", "bad.proto")
	req := compile(t, root, map[string][]byte{p: []byte(src)}, "bad/v1/bad.proto")
	// protocompile (like buf) rejects reserved names that are not
	// identifiers, protoc 3.21 accepts them silently: add one the way such
	// a descriptor arrives from protoc.
	for _, f := range req.ProtoFile {
		if f.GetName() == "bad/v1/bad.proto" {
			f.MessageType[0].ReservedName = append(f.MessageType[0].ReservedName, "not-an-ident")
			// A field number of the implementation's range (protodesc
			// accepts it, protoc does not): the proto stage's check, at the
			// number.
			f.MessageType[0].Field[1].Number = proto.Int32(19000)
		}
	}
	hz, err := Hazards(req.CodeGeneratorRequest)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(brief(hz), "\n")
	want := strings.Join([]string{
		"bad/v1/bad.proto:1:1 " + GoPackageRule,
		"bad/v1/bad.proto:1:1 " + ReservedNameRule,
		"bad/v1/bad.proto:5:1 " + WeakImportRule,
		"bad/v1/bad.proto:12:31 " + protofile.RuleReserved,
		"bad/v1/bad.proto:13:3 " + GroupRule,
		"bad/v1/bad.proto:16:3 " + CtypeRule,
		"bad/v1/bad.proto:20:1 " + GoNameRule,
		"bad/v1/bad.proto:24:1 " + EnumJSONRule,
	}, "\n")
	if got != want {
		t.Errorf("hazards:\n%s\nwant:\n%s", got, want)
		for _, d := range hz {
			t.Log(d.Format(d.Path))
		}
	}
}
