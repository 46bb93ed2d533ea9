package protoplugin

import (
	"strings"
	"testing"

	"github.com/protolift/protolift/internal/toolbin"
)

func TestParseParams(t *testing.T) {
	p, err := ParseParams("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Report != "both" || p.FailOn != "never" || p.ModuleDir != "." {
		t.Errorf("defaults: %+v", p)
	}
	if len(p.Old) != 1 || p.Old[0].Pkg != toolbin.LegacyGoPkg || p.Old[0].Version != toolbin.LegacyGoV135 || p.Old[0].Params != "plugins=grpc" {
		t.Errorf("default old: %+v", p.Old)
	}
	if len(p.New) != 2 {
		t.Errorf("default new: %+v", p.New)
	}

	p, err = ParseParams("old=github.com/golang/protobuf/protoc-gen-go@v1.4.3:plugins=grpc,paths=source_relative," +
		"new=google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12," +
		"new=google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2:require_unimplemented_servers=false," +
		"report=json,fail_on=used,module_dir=/src/app")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Old) != 1 || p.Old[0].Params != "plugins=grpc,paths=source_relative" {
		t.Errorf("old: %+v", p.Old)
	}
	if len(p.New) != 2 || p.New[1].Params != "require_unimplemented_servers=false" {
		t.Errorf("new: %+v", p.New)
	}
	if p.Report != "json" || p.FailOn != "used" || p.ModuleDir != "/src/app" {
		t.Errorf("got %+v", p)
	}

	for in, want := range map[string]string{
		"report=html":        "want md, json or both",
		"fail_on=sometimes":  "want breaking, used or never",
		"paths=import":       "unknown parameter",
		"old=protoc-gen-go@": "old=protoc-gen-go@",
	} {
		if _, err := ParseParams(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseParams(%q) = %v, want error containing %q", in, err, want)
		}
	}
}
