package rewrite

import "testing"

func TestKeepImportLayout(t *testing.T) {
	orig := `package p

import (
	"fmt"

	"github.com/golang/protobuf/ptypes"
	"google.golang.org/grpc"

	pb "example.com/m/gen"
)
`
	// What dst prints: one sorted block.
	out := `package p

import (
	pb "example.com/m/gen"
	"fmt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
	"net/url"
)
`
	want := `package p

import (
	"fmt"
	"net/url"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "example.com/m/gen"
)
`
	if got := string(keepImportLayout([]byte(orig), []byte(out))); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// A file without standard-library imports keeps dst's layout when
	// one is added, so that it gets a group of its own.
	orig2 := "package p\n\nimport \"google.golang.org/grpc\"\n"
	out2 := "package p\n\nimport (\n\t\"context\"\n\n\t\"google.golang.org/grpc\"\n)\n"
	if got := string(keepImportLayout([]byte(orig2), []byte(out2))); got != out2 {
		t.Errorf("got:\n%s\nwant dst's layout:\n%s", got, out2)
	}
}
