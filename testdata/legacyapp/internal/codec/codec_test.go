package codec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	durpb "github.com/golang/protobuf/ptypes/duration"
	"github.com/golang/protobuf/ptypes/empty"
	structpb "github.com/golang/protobuf/ptypes/struct"
	tspb "github.com/golang/protobuf/ptypes/timestamp"
	"github.com/golang/protobuf/ptypes/wrappers"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

func sampleOrder(t *testing.T) *orderspb.Order {
	t.Helper()
	o := &orderspb.Order{
		Id:         "o-1",
		CustomerId: "c-9",
		Status:     orderspb.OrderStatus_ORDER_STATUS_PAID,
		Items: []*orderspb.LineItem{
			{Sku: "mug", Quantity: 2, UnitPrice: &orderspb.Money{CurrencyCode: "EUR", Units: 7, Nanos: 500000000}},
		},
		CreatedAt:      &tspb.Timestamp{Seconds: 1577836800, Nanos: 42000},
		DeliveryWindow: &durpb.Duration{Seconds: 3 * 24 * 3600},
		CouponCode:     &wrappers.StringValue{Value: ""},
		Priority:       &wrappers.Int32Value{Value: 3},
		Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{
			"channel": {Kind: &structpb.Value_StringValue{StringValue: "web"}},
		}},
		Labels:          map[string]string{"region": "eu"},
		ShippingAddress: &orderspb.Order_Address{City: "Lisbon", Country: "PT"},
		Payment:         &orderspb.Order_Card{Card: &orderspb.CardPayment{Last4: "4242", Network: "visa"}},
	}
	note, err := PackDetail(&orderspb.GiftNote{Message: "happy birthday", From: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	o.Details = append(o.Details, note)
	return o
}

func TestJSONRoundTrip(t *testing.T) {
	o := sampleOrder(t)
	s, err := OrderJSON(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "{\n  \"id\":") {
		t.Errorf("export is not indented by two spaces:\n%s", s)
	}
	// Compare parsed JSON: the partners' parsers do not care about spacing.
	var doc map[string]interface{}
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, s)
	}
	for key, want := range map[string]interface{}{
		"customer_id":     "c-9", // OrigName
		"coupon_code":     "",    // a wrapper holding its zero value is still set
		"gift":            nil,   // EmitDefaults prints unset messages as null
		"status":          "ORDER_STATUS_PAID",
		"created_at":      "2020-01-01T00:00:00.000042Z",
		"delivery_window": "259200s",
		"priority":        float64(3),
	} {
		got, ok := doc[key]
		if !ok || got != want {
			t.Errorf("export[%q] = %#v (present %v), want %#v", key, got, ok, want)
		}
	}
	if _, ok := doc["invoice_ref"]; ok {
		t.Errorf("unset oneof member exported:\n%s", s)
	}
	addr, _ := doc["shipping_address"].(map[string]interface{})
	if got, ok := addr["postal_code"]; !ok || got != "" {
		t.Errorf("nested default postal_code = %#v, %v; EmitDefaults should print it", got, ok)
	}
	details, _ := doc["details"].([]interface{})
	if len(details) != 1 || details[0].(map[string]interface{})["@type"] != "type.googleapis.com/orders.v1.GiftNote" {
		t.Errorf("details = %#v", doc["details"])
	}

	back, err := DecodeOrder(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	if !SameOrder(o, back) {
		t.Errorf("round trip changed the order:\n got %v\nwant %v", back, o)
	}

	var buf bytes.Buffer
	if err := WriteJSON(&buf, &empty.Empty{}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(strings.Fields(buf.String()), "") != "{}" {
		t.Errorf("Empty as JSON = %q, want {}", buf.String())
	}
}

func TestDecodeOrderUnknownFields(t *testing.T) {
	in := `{"id": "o-2", "loyalty_tier": "gold", "status": "ORDER_STATUS_SHIPPED"}`
	o, err := DecodeOrder(strings.NewReader(in))
	if err != nil {
		t.Fatalf("partner JSON with an unknown field: %v", err)
	}
	if o.GetId() != "o-2" || o.GetStatus() != orderspb.OrderStatus_ORDER_STATUS_SHIPPED {
		t.Errorf("decoded %v", o)
	}
	if _, err := ParseOrderString(in); err == nil {
		t.Error("ParseOrderString accepted an unknown field")
	}
	o, err = ParseOrderString(`{"id": "o-3", "createdAt": "2020-01-01T00:00:00Z", "labels": {"a": "b"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if o.GetCreatedAt().GetSeconds() != 1577836800 || o.GetLabels()["a"] != "b" {
		t.Errorf("ParseOrderString = %v", o)
	}
}

// The PATCH endpoint relies on jsonpb merging into the existing message.
func TestApplyPatchMerges(t *testing.T) {
	o := sampleOrder(t)
	patch := `{"status": "ORDER_STATUS_SHIPPED", "labels": {"carrier": "dhl"},
		"items": [{"sku": "card", "quantity": 1}], "invoice_ref": "INV-7", "extra": 1}`
	if err := ApplyPatch(o, strings.NewReader(patch)); err != nil {
		t.Fatal(err)
	}
	if o.GetStatus() != orderspb.OrderStatus_ORDER_STATUS_SHIPPED {
		t.Errorf("status = %v, want SHIPPED", o.GetStatus())
	}
	if o.GetCustomerId() != "c-9" || o.GetShippingAddress().GetCity() != "Lisbon" {
		t.Errorf("fields absent from the patch were cleared: %v", o)
	}
	// Maps and repeated fields named in the patch are replaced as a whole.
	if got := o.GetLabels(); len(got) != 1 || got["carrier"] != "dhl" {
		t.Errorf("labels = %v, want only the patched key", got)
	}
	if items := o.GetItems(); len(items) != 1 || items[0].GetSku() != "card" {
		t.Errorf("items = %v, want just the patched item", items)
	}
	if o.GetInvoiceRef() != "INV-7" || o.GetCard() != nil {
		t.Errorf("payment oneof = %v, want invoice_ref replacing card", o.GetPayment())
	}
}

func TestAnyRoundTrip(t *testing.T) {
	o := sampleOrder(t)
	note, err := FindGiftNote(o.GetDetails())
	if err != nil {
		t.Fatal(err)
	}
	if note.GetFrom() != "Ana" {
		t.Errorf("gift note = %v", note)
	}

	money, err := PackDetail(&orderspb.Money{CurrencyCode: "EUR", Units: 1})
	if err != nil {
		t.Fatal(err)
	}
	foreign := proto.Clone(money).(*anyMsg)
	foreign.TypeUrl = "type.googleapis.com/partner.v3.Loyalty"
	broken := &anyMsg{TypeUrl: "no-slash"}
	got := DescribeDetails([]*anyMsg{money, o.Details[0], foreign, broken})
	if len(got) != 4 {
		t.Fatalf("DescribeDetails = %q", got)
	}
	for i, want := range []proto.Message{
		&orderspb.Money{CurrencyCode: "EUR", Units: 1},
		&orderspb.GiftNote{Message: "happy birthday", From: "Ana"},
	} {
		name, text, _ := strings.Cut(got[i], " ")
		m := proto.Clone(want)
		m.Reset()
		if err := proto.UnmarshalText(text, m); err != nil || name != proto.MessageName(want) || !proto.Equal(m, want) {
			t.Errorf("detail %d = %q (%v), want %s %v", i, got[i], err, proto.MessageName(want), want)
		}
	}
	if got[2] != "partner.v3.Loyalty" {
		t.Errorf("unlinked type shown as %q, want its name only", got[2])
	}
	if !strings.HasPrefix(got[3], "<malformed: ") || !strings.Contains(got[3], "no-slash") {
		t.Errorf("malformed Any shown as %q", got[3])
	}
	if n, _ := FindGiftNote([]*anyMsg{money}); n != nil {
		t.Errorf("found a gift note in %v", money)
	}
}

func TestTimes(t *testing.T) {
	ts, err := ParseCreatedAt("2020-01-01T00:00:00.5Z")
	if err != nil {
		t.Fatal(err)
	}
	if ts.GetSeconds() != 1577836800 || ts.GetNanos() != 500000000 {
		t.Errorf("ParseCreatedAt = %v", ts)
	}
	if got := FormatTimestamp(ts); got != "2020-01-01T00:00:00.5Z" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	if _, err := ParseCreatedAt("0000-12-31T00:00:00Z"); err == nil {
		t.Error("year 0 accepted")
	}
	age, err := Age(ts, time.Date(2020, 1, 1, 0, 1, 0, 0, time.UTC))
	if err != nil || age != 59500*time.Millisecond {
		t.Errorf("Age = %v, %v", age, err)
	}
	if _, err := Age(&tspb.Timestamp{Seconds: -62135596801}, time.Now()); err == nil {
		t.Error("Age accepted a timestamp before year 1")
	}
	if _, err := Age(nil, time.Now()); err == nil {
		t.Error("Age accepted nil")
	}
	if got := FormatTimestamp(&tspb.Timestamp{Nanos: -1}); !strings.HasPrefix(got, "(") {
		t.Errorf("invalid timestamp formatted as %q", got)
	}
	if now, err := ptypes.Timestamp(Stamp()); err != nil || time.Since(now) > time.Minute {
		t.Errorf("Stamp = %v, %v", now, err)
	}

	w, err := DeliveryWindow(WindowProto(90*time.Minute+400*time.Millisecond), time.Hour)
	if err != nil || w != 90*time.Minute {
		t.Errorf("DeliveryWindow = %v, %v", w, err)
	}
	if w, _ := DeliveryWindow(nil, time.Hour); w != time.Hour {
		t.Errorf("fallback window = %v", w)
	}
	if _, err := DeliveryWindow(&durpb.Duration{Seconds: -5}, 0); err == nil {
		t.Error("negative window accepted")
	}
	if _, err := DeliveryWindow(&durpb.Duration{Seconds: 1, Nanos: -1}, 0); err == nil {
		t.Error("mixed-sign duration accepted")
	}
}

func TestTextRoundTrip(t *testing.T) {
	o := sampleOrder(t)
	pretty := Pretty(o)
	if strings.Count(pretty, "\n") < 10 {
		t.Errorf("Pretty is not multi-line:\n%s", pretty)
	}
	back := &orderspb.Order{}
	if err := ParseText(pretty, back); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(o, back) {
		t.Errorf("text round trip:\n got %v\nwant %v", back, o)
	}

	line := AuditLine(o)
	if strings.Contains(line, "\n") {
		t.Errorf("audit line spans lines: %q", line)
	}
	back.Reset()
	if err := ParseText(line, back); err != nil || !SameOrder(o, back) {
		t.Errorf("audit line round trip: %v, %v", err, back)
	}

	var buf bytes.Buffer
	if err := DumpText(&buf, o.GetItems()[0]); err != nil {
		t.Fatal(err)
	}
	item := &orderspb.LineItem{}
	if err := ParseText(buf.String(), item); err != nil || !proto.Equal(item, o.GetItems()[0]) {
		t.Errorf("DumpText round trip: %v\n%s", err, buf.String())
	}
	if err := ParseText("sku: 12 12", back); err == nil {
		t.Error("garbage text parsed")
	}
}

func TestWire(t *testing.T) {
	o := sampleOrder(t)
	b, err := EncodeOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != proto.Size(o) {
		t.Errorf("encoded %d bytes, Size says %d", len(b), proto.Size(o))
	}
	back, err := DecodeOrderBytes(b)
	if err != nil || !SameOrder(o, back) {
		t.Fatalf("decode: %v, %v", err, back)
	}
	if _, err := DecodeOrderBytes([]byte{0x0a, 0xff}); err == nil {
		t.Error("truncated input decoded")
	}

	c := CloneOrder(o)
	c.Items[0].Quantity = 5
	if o.Items[0].Quantity != 2 {
		t.Error("CloneOrder shares line items with the original")
	}

	MergeUpdate(o, &orderspb.Order{Status: orderspb.OrderStatus_ORDER_STATUS_SHIPPED, Labels: map[string]string{"b": "c"}})
	if o.GetStatus() != orderspb.OrderStatus_ORDER_STATUS_SHIPPED || len(o.GetLabels()) != 2 || o.GetCustomerId() != "c-9" {
		t.Errorf("MergeUpdate = %v", o)
	}

	big := &orderspb.Order{Id: strings.Repeat("x", MaxStoredOrder)}
	if _, err := EncodeOrder(big); err == nil || !strings.Contains(err.Error(), "orders.v1.Order is 65540 bytes") {
		t.Errorf("oversized order: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	s := Describe(&orderspb.Order{})
	if s.File != "proto/orders/v1/orders.proto" || s.Message != "orders.v1.Order" {
		t.Errorf("Describe = %+v", s)
	}
	if s.Fields["coupon_code"] != "TYPE_MESSAGE" || s.Fields["status"] != "TYPE_ENUM" {
		t.Errorf("fields = %v", s.Fields)
	}
	if len(s.Nested) == 0 || s.Nested[0] != ".google.protobuf.Any" {
		t.Errorf("nested = %v", s.Nested)
	}
}
