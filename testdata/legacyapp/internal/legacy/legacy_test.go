package legacy

import (
	"context"
	"testing"

	"github.com/golang/protobuf/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	legacypb "example.com/legacyapp/proto/legacy/v1"
)

func TestExtensions(t *testing.T) {
	r := &legacypb.Record{Id: proto.String("r-1")}
	if p, err := Priority(r, 7); err != nil || p != 7 {
		t.Errorf("Priority on a bare record = %d, %v; want the default 7", p, err)
	}
	if _, ok := SourceSystem(r); ok {
		t.Error("bare record has a source system")
	}
	if n, err := Note(r); n != nil || err != nil {
		t.Errorf("Note = %v, %v", n, err)
	}
	if _, err := proto.GetExtension(r, legacypb.E_Tags); err != proto.ErrMissingExtension {
		t.Errorf("GetExtension(tags) on a bare record: %v, want ErrMissingExtension", err)
	}

	l := Label{System: "routing", Priority: 3, Tags: []string{"fragile", "eu"},
		Note: &legacypb.Annotation{Key: proto.String("dock"), Value: proto.String("B")}}
	if err := l.Apply(r); err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	got := &legacypb.Record{}
	if err := proto.Unmarshal(b, got); err != nil {
		t.Fatal(err)
	}
	if p, err := Priority(got, 7); err != nil || p != 3 {
		t.Errorf("Priority = %d, %v", p, err)
	}
	if s, ok := SourceSystem(got); !ok || s != "routing" {
		t.Errorf("SourceSystem = %q, %v", s, ok)
	}
	if tags := Tags(got); len(tags) != 2 || tags[1] != "eu" {
		t.Errorf("Tags = %q", tags)
	}
	if n, err := Note(got); err != nil || n.GetValue() != "B" {
		t.Errorf("Note = %v, %v", n, err)
	}

	StripForBridge(got)
	if proto.HasExtension(got, legacypb.E_Tags) || proto.HasExtension(got, legacypb.E_Annotation) {
		t.Errorf("StripForBridge left %v", got)
	}
	if !proto.HasExtension(got, legacypb.E_Priority) {
		t.Error("StripForBridge removed priority")
	}

	if err := proto.SetExtension(r, legacypb.E_Priority, "high"); err == nil {
		t.Error("SetExtension accepted a string for an int32 extension")
	}
}

func TestProto2Defaults(t *testing.T) {
	r := &legacypb.Record{Id: proto.String("r-2")}
	if r.GetVersion() != 1 || r.GetOwner() != "nobody" || r.GetKind() != legacypb.Record_KIND_BASIC || r.GetWeight() != 1.5 {
		t.Errorf("defaults: version=%d owner=%q kind=%v weight=%v", r.GetVersion(), r.GetOwner(), r.GetKind(), r.GetWeight())
	}
	if r.Version != nil {
		t.Error("reading a default set the field")
	}
	if _, err := proto.Marshal(&legacypb.Record{}); err == nil {
		t.Error("a record without its required id marshalled")
	}

	r.Scores = []int32{1, 2, 300}
	r.Audit = &legacypb.Record_Audit{ChangedBy: proto.String("ops"), ChangedAtUnix: proto.Int64(1500000000)}
	b, err := proto.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Packed: one tag (4<<3|2), one length (4), then 1, 2 and 300 as varints.
	if !containsBytes(b, []byte{0x22, 0x04, 0x01, 0x02, 0xac, 0x02}) {
		t.Errorf("scores not packed: % x", b)
	}
	got := &legacypb.Record{}
	if err := proto.UnmarshalText(proto.MarshalTextString(r), got); err != nil || !proto.Equal(r, got) {
		t.Errorf("text round trip with a group: %v\n%v", err, got)
	}
}

func containsBytes(b, sub []byte) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return true
		}
	}
	return false
}

func TestLookup(t *testing.T) {
	rec := &legacypb.Record{Id: proto.String("r-3")}
	if err := (Label{System: "routing", Priority: 9, Tags: []string{"x"}}).Apply(rec); err != nil {
		t.Fatal(err)
	}
	s := NewServer(rec)
	ctx := context.Background()

	full, err := s.Lookup(ctx, &legacypb.LookupRequest{Id: proto.String("r-3")})
	if err != nil || !proto.Equal(full, rec) {
		t.Fatalf("Lookup = %v, %v", full, err)
	}
	full.Owner = proto.String("mallory")
	if rec.Owner != nil {
		t.Error("Lookup handed out the stored record")
	}

	bare, err := s.Lookup(ctx, &legacypb.LookupRequest{Id: proto.String("r-3"), IncludeExtensions: proto.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if proto.HasExtension(bare, legacypb.E_Priority) || len(Tags(bare)) != 0 {
		t.Errorf("extensions left in %v", bare)
	}

	_, err = s.Lookup(ctx, &legacypb.LookupRequest{Id: proto.String("nope")})
	if grpc.Code(err) != codes.NotFound {
		t.Errorf("missing record: %v", err)
	}
	if grpc.ErrorDesc(err) != `lookup: no record "nope"` {
		t.Errorf("error text = %q", grpc.ErrorDesc(err))
	}
}
