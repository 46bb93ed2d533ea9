package regen

import (
	"context"
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/change"
	"github.com/protolift/protolift/internal/generate"
	"github.com/protolift/protolift/internal/toolbin"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func TestFixScripts(t *testing.T) {
	fx := scriptFix{goVer: "v1.36.5", grpcVer: "v1.5.1", rewrite: true}
	optOut := fx
	optOut.optOut = true
	report := fx
	report.rewrite = false
	for _, tc := range []struct {
		name, file, in, want string
		fx                   scriptFix
		manual               int // findings left for a person
	}{{
		name: "quoted value with an M variable (testdata/legacyapp/gen.sh)",
		file: "gen.sh", fx: fx,
		in:   "protoc -I . \\\n\t--go_out=\"plugins=grpc,paths=source_relative,$WKT:.\" \\\n\t\"$f\"\n",
		want: "protoc -I . \\\n\t--go_out=\"paths=source_relative,$WKT:.\" --go-grpc_out=\"paths=source_relative,$WKT:.\" \\\n\t\"$f\"\n",
	}, {
		name: "plugins=grpc alone, Makefile variable as the directory",
		file: "Makefile", fx: fx,
		in:   "gen:\n\tprotoc --go_out=plugins=grpc:$(OUT) a.proto\n",
		want: "gen:\n\tprotoc --go_out=$(OUT) --go-grpc_out=$(OUT) a.proto\n",
	}, {
		name: "word quoted as a whole, services opted out of the embedding requirement",
		file: "gen.sh", fx: optOut,
		in:   "protoc \"--go_out=plugins=grpc,paths=source_relative:gen\" a.proto\n",
		want: "protoc \"--go_out=paths=source_relative:gen\" \"--go-grpc_out=paths=source_relative,require_unimplemented_servers=false:gen\" a.proto\n",
	}, {
		name: "--go_opt=plugins=grpc on its own continued line",
		file: "gen.sh", fx: fx,
		in:   "protoc -I. \\\n  --go_out=. --go_opt=paths=source_relative \\\n  --go_opt=plugins=grpc \\\n  a.proto\n",
		want: "protoc -I. \\\n  --go_out=. --go-grpc_out=. --go-grpc_opt=paths=source_relative --go_opt=paths=source_relative \\\n  a.proto\n",
	}, {
		name: "--go_opt=plugins=grpc within a line",
		file: "Makefile", fx: fx,
		in:   "\tprotoc --go_opt=plugins=grpc --go_out=gen x.proto\n",
		want: "\tprotoc --go_out=gen --go-grpc_out=gen x.proto\n",
	}, {
		name: "--go_opt without a --go_out in the command is left to a person",
		file: "gen.sh", fx: fx, manual: 1,
		in:   "OPTS=--go_opt=plugins=grpc\n",
		want: "OPTS=--go_opt=plugins=grpc\n",
	}, {
		name: "old well-known-type mappings",
		file: "gen.sh", fx: fx,
		in:   "protoc --go_out=Mgoogle/protobuf/any.proto=github.com/golang/protobuf/ptypes/any,Mgoogle/protobuf/empty.proto=github.com/golang/protobuf/ptypes/empty:. a.proto\n",
		want: "protoc --go_out=Mgoogle/protobuf/any.proto=google.golang.org/protobuf/types/known/anypb,Mgoogle/protobuf/empty.proto=google.golang.org/protobuf/types/known/emptypb:. a.proto\n",
	}, {
		name: "a path that only starts like a ptypes package is not touched",
		file: "gen.sh", fx: fx,
		in:   "protoc --go_out=Mx.proto=github.com/golang/protobuf/ptypes/anything:. a.proto\n",
		want: "protoc --go_out=Mx.proto=github.com/golang/protobuf/ptypes/anything:. a.proto\n",
	}, {
		name: "buf.gen.yaml plugin options are reported, not edited",
		file: "buf.gen.yaml", fx: fx, manual: 1,
		in:   "version: v1\nplugins:\n  - name: go\n    out: gen\n    opt: plugins=grpc\n",
		want: "version: v1\nplugins:\n  - name: go\n    out: gen\n    opt: plugins=grpc\n",
	}, {
		name: "some code was not regenerated: report only",
		file: "Makefile", fx: report, manual: 1,
		in:   "\tprotoc --go_out=plugins=grpc:gen x.proto\n",
		want: "\tprotoc --go_out=plugins=grpc:gen x.proto\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/m/" + tc.file
			got, manual := runFixScripts(t, path, tc.in, tc.fx)
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if manual != tc.manual {
				t.Errorf("%d findings for a person, want %d", manual, tc.manual)
			}
			// A second run changes nothing and reports nothing new.
			again, manual2 := runFixScripts(t, path, got, tc.fx)
			if again != got || manual2 != tc.manual {
				t.Errorf("second run: changed %v, %d findings for a person", again != got, manual2)
			}
		})
	}
}

func runFixScripts(t *testing.T, path, src string, fx scriptFix) (string, int) {
	t.Helper()
	res := &Result{}
	if err := fixScripts(res, []string{path}, reader{path: []byte(src)}, fx); err != nil {
		t.Fatal(err)
	}
	manual := 0
	for _, d := range res.Diags {
		if d.Risk == change.Manual {
			manual++
		} else if d.Rule != ScriptRule || d.Risk != change.Review {
			t.Errorf("unexpected diagnostic %+v", d)
		}
	}
	out := src
	if f := res.Lookup(path); f != nil {
		out = string(f.New)
		if len(f.Edits) == 0 {
			t.Error("changed file without edits")
		}
	}
	return out, manual
}

// TestFixedScriptOptionsAreAccepted runs the current generators with the
// options a rewritten script passes them: both must accept them (an
// option only protoc-gen-go knows makes protoc-gen-go-grpc fail).
func TestFixedScriptOptionsAreAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds protoc-gen-go-grpc")
	}
	src := "protoc --go_out=plugins=grpc,paths=source_relative,Mgoogle/protobuf/empty.proto=github.com/golang/protobuf/ptypes/empty:. svc.proto\n"
	got, _ := runFixScripts(t, "/m/gen.sh", src, scriptFix{goVer: toolbin.GoVersion, grpcVer: toolbin.GoGRPCVersion, rewrite: true, optOut: true})
	goTok, ok := findFlag([]byte(got), 0, len(got), "--go_out")
	grpcTok, ok2 := findFlag([]byte(got), 0, len(got), "--go-grpc_out")
	if !ok || !ok2 {
		t.Fatalf("rewritten script lacks --go_out or --go-grpc_out:\n%s", got)
	}
	file := &descriptorpb.FileDescriptorProto{
		Name:       proto.String("svc.proto"),
		Package:    proto.String("svc"),
		Dependency: []string{"google/protobuf/empty.proto"},
		Options:    &descriptorpb.FileOptions{GoPackage: proto.String("example.com/m/svc")},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("S"),
			Method: []*descriptorpb.MethodDescriptorProto{{
				Name: proto.String("Ping"), InputType: proto.String(".google.protobuf.Empty"), OutputType: proto.String(".google.protobuf.Empty"),
			}},
		}},
		Syntax: proto.String("proto3"),
	}
	empty := &descriptorpb.FileDescriptorProto{
		Name:        proto.String("google/protobuf/empty.proto"),
		Package:     proto.String("google.protobuf"),
		Options:     &descriptorpb.FileOptions{GoPackage: proto.String("google.golang.org/protobuf/types/known/emptypb")},
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Empty")}},
		Syntax:      proto.String("proto3"),
	}
	req := &generate.Request{CodeGeneratorRequest: &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{"svc.proto"},
		ProtoFile:      []*descriptorpb.FileDescriptorProto{empty, file},
	}}
	params := func(v string) string { p, _, _ := strings.Cut(v, ":"); return p }
	ctx := context.Background()
	for _, gen := range []generate.Spec{
		{Pkg: toolbin.GoPkg, Version: toolbin.GoVersion, Params: params(goTok.value)},
		{Pkg: toolbin.GoGRPCPkg, Version: toolbin.GoGRPCVersion, Params: params(grpcTok.value)},
	} {
		files, err := generate.Run(ctx, gen, req)
		if err != nil {
			t.Fatalf("%s %s rejects %q: %v", gen.Pkg, gen.Version, gen.Params, err)
		}
		if gen.Pkg == toolbin.GoGRPCPkg && (len(files) != 1 || !strings.Contains(string(files[0].Content), "emptypb.Empty")) {
			for _, f := range files {
				t.Logf("%s:\n%s", f.Name, f.Content)
			}
			t.Errorf("%s: want one file using emptypb.Empty", gen.Pkg)
		}
	}
}
