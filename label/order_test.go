package label

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
)

// sampleFiles are the sample batches of the shared test data, copied from
// shared/samples.
var sampleFiles = []string{"orders-3.json", "orders-600.json", "orders-60-tricky.json"}

// rawBatch is a sample batch with each order kept as the JSON it came as.
type rawBatch struct {
	BatchID string            `json:"batch_id"`
	Orders  []json.RawMessage `json:"orders"`
}

func readSample(tb testing.TB, name string) rawBatch {
	tb.Helper()
	data, err := os.ReadFile("testdata/samples/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var b rawBatch
	if err := json.Unmarshal(data, &b); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return b
}

func TestParseOrderSamples(t *testing.T) {
	for _, name := range sampleFiles {
		t.Run(name, func(t *testing.T) {
			for i, raw := range readSample(t, name).Orders {
				path := fmt.Sprintf("job.documents[%d].data", i)
				o, err := ParseOrder(raw, path)
				if err != nil {
					t.Fatalf("order %d: %v", i, err)
				}
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				if o.OrderID != m["order_id"] || o.TrackingNumber != m["tracking_number"] {
					t.Errorf("order %d: got id %q tracking %q, want %q %q", i, o.OrderID, o.TrackingNumber, m["order_id"], m["tracking_number"])
				}
				if len(o.Items) != len(m["items"].([]any)) {
					t.Errorf("order %d: %d items, want %d", i, len(o.Items), len(m["items"].([]any)))
				}
				if (o.COD != nil) != (m["cod"] != nil) {
					t.Errorf("order %d: COD %v, want %v", i, o.COD, m["cod"])
				}
			}
		})
	}
}

func TestParseOrderFields(t *testing.T) {
	o, err := ParseOrder([]byte(validOrder), "doc.data")
	if err != nil {
		t.Fatal(err)
	}
	want := &Order{
		OrderID: "576582932555864394", Platform: "TikTok Shop", Carrier: "Shopee Xpress", Service: "Economy",
		TrackingNumber: "SPX6820170614TH", SortCode: "KKC-14B",
		Sender:    Party{Name: "Namjai Shop", Phone: "02-123-4567", Address: "99/9 Sukhumvit 101", Postcode: "10260"},
		Recipient: Party{Name: "ปุณณวิช ทองมา", Phone: "091-060-9411", Address: "804/44 หมู่ 12 ถนนสุขุมวิท", Postcode: "10900"},
		Items: []Item{
			{SKU: "BOOK-TH-101", Name: "หนังสือ", Qty: 1, Location: "D-16-02"},
			{SKU: "PHONE-STAND", Name: "ขาตั้งมือถือ", Variant: "Silver", Qty: 2, Location: "C-10-05"},
		},
		WeightKG: 3.3,
		COD:      &COD{Amount: "1027.00", Currency: "THB"},
		Note:     "fragile",
		path:     "doc.data",
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("ParseOrder:\n got %+v\nwant %+v", o, want)
	}
}

// validOrder is an order with every field set; the error cases below break
// one field of it at a time.
const validOrder = `{
 "order_id": "576582932555864394", "platform": "TikTok Shop", "carrier": "Shopee Xpress", "service": "Economy",
 "tracking_number": "SPX6820170614TH", "sort_code": "KKC-14B",
 "sender": {"name": "Namjai Shop", "phone": "02-123-4567", "address": "99/9 Sukhumvit 101", "postcode": "10260"},
 "recipient": {"name": "ปุณณวิช ทองมา", "phone": "091-060-9411", "address": "804/44 หมู่ 12 ถนนสุขุมวิท", "postcode": "10900"},
 "items": [
  {"sku": "BOOK-TH-101", "name": "หนังสือ", "variant": "", "qty": 1, "location": "D-16-02"},
  {"sku": "PHONE-STAND", "name": "ขาตั้งมือถือ", "variant": "Silver", "qty": 2, "location": "C-10-05"}
 ],
 "weight_kg": 3.3, "cod": {"amount": "1027.00", "currency": "THB"}, "note": "fragile"
}`

// withField returns validOrder with the field at the dotted path (array
// indexes as numbers: "items.1.qty") set to v, or removed when v is
// deleteField.
func withField(tb testing.TB, path string, v any) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validOrder), &m); err != nil {
		tb.Fatal(err)
	}
	var cur any = m
	keys := strings.Split(path, ".")
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v == deleteField {
					delete(c, k)
				} else {
					c[k] = v
				}
			}
			cur = c[k]
		case []any:
			var n int
			fmt.Sscan(k, &n)
			if last {
				c[n] = v
			}
			cur = c[n]
		}
	}
	data, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

type deleteMarker struct{}

var deleteField = deleteMarker{}

func TestParseOrderErrors(t *testing.T) {
	const base = "job.documents[3].data"
	tests := []struct {
		name    string
		data    []byte
		path    string // want, after base
		message string // want, a part of it
	}{
		{"NotJSON", []byte(`{"order_id": `), "", "not valid JSON"},
		{"TrailingData", []byte(validOrder + ` {}`), "", "not valid JSON"},
		{"NotObject", []byte(`[1, 2]`), "", "must be an object, got an array"},
		{"Null", []byte(`null`), "", "must be an object, got null"},
		{"OrderIDMissing", withField(t, "order_id", deleteField), ".order_id", "missing"},
		{"OrderIDNumber", withField(t, "order_id", 576582932555864394), ".order_id", "must be a string, got a number"},
		{"OrderIDBlank", withField(t, "order_id", "  "), ".order_id", "must not be empty"},
		{"OrderIDTooLong", withField(t, "order_id", strings.Repeat("9", MaxIDLen+1)), ".order_id", "more than 64"},
		{"CarrierMissing", withField(t, "carrier", deleteField), ".carrier", "missing"},
		{"PlatformBool", withField(t, "platform", true), ".platform", "must be a string, got a boolean"},
		{"TrackingMissing", withField(t, "tracking_number", deleteField), ".tracking_number", "missing"},
		{"TrackingNull", withField(t, "tracking_number", nil), ".tracking_number", "missing"},
		{"TrackingEmpty", withField(t, "tracking_number", ""), ".tracking_number", "must not be empty"},
		{"TrackingThai", withField(t, "tracking_number", "SPX68201ไทย"), ".tracking_number", "printable ASCII"},
		{"TrackingNewline", withField(t, "tracking_number", "SPX682\n0170614TH"), ".tracking_number", "printable ASCII"},
		{"TrackingTooLong", withField(t, "tracking_number", strings.Repeat("A", MaxCodeLen+1)), ".tracking_number", "more than 40"},
		{"TrackingObject", withField(t, "tracking_number", map[string]any{}), ".tracking_number", "got an object"},
		{"SortCodeTooLong", withField(t, "sort_code", strings.Repeat("S", MaxSortCodeLen+1)), ".sort_code", "more than 32"},
		{"SenderMissing", withField(t, "sender", deleteField), ".sender", "missing"},
		{"SenderString", withField(t, "sender", "Namjai Shop"), ".sender", "must be an object, got a string"},
		{"SenderNameMissing", withField(t, "sender.name", deleteField), ".sender.name", "missing"},
		{"RecipientAddressMissing", withField(t, "recipient.address", deleteField), ".recipient.address", "missing"},
		{"RecipientAddressTooLong", withField(t, "recipient.address", strings.Repeat("ก", MaxAddressLen+1)), ".recipient.address", "more than 500"},
		{"RecipientPhoneNumber", withField(t, "recipient.phone", 910609411), ".recipient.phone", "must be a string, got a number"},
		{"RecipientPostcodeTooLong", withField(t, "recipient.postcode", strings.Repeat("1", MaxPostcodeLen+1)), ".recipient.postcode", "more than 20"},
		{"ItemsMissing", withField(t, "items", deleteField), ".items", "missing"},
		{"ItemsEmpty", withField(t, "items", []any{}), ".items", "at least 1"},
		{"ItemsObject", withField(t, "items", map[string]any{}), ".items", "must be an array, got an object"},
		{"ItemsTooMany", withField(t, "items", manyItems(MaxItems+1)), ".items", "more than 500"},
		{"ItemNotObject", withField(t, "items.1", "PHONE-STAND"), ".items[1]", "must be an object"},
		{"ItemSKUMissing", withField(t, "items.1.sku", deleteField), ".items[1].sku", "missing"},
		{"ItemQtyMissing", withField(t, "items.1.qty", deleteField), ".items[1].qty", "missing"},
		{"ItemQtyZero", withField(t, "items.1.qty", 0), ".items[1].qty", "whole number from 1"},
		{"ItemQtyNegative", withField(t, "items.1.qty", -2), ".items[1].qty", "whole number from 1"},
		{"ItemQtyFraction", withField(t, "items.1.qty", 1.5), ".items[1].qty", "whole number from 1"},
		{"ItemQtyHuge", withField(t, "items.1.qty", 1e9), ".items[1].qty", "whole number from 1"},
		{"ItemQtyString", withField(t, "items.1.qty", "2"), ".items[1].qty", "must be a number, got a string"},
		{"ItemNameTooLong", withField(t, "items.0.name", strings.Repeat("x", MaxItemNameLen+1)), ".items[0].name", "more than 500"},
		{"ItemLocationNumber", withField(t, "items.0.location", 7), ".items[0].location", "must be a string"},
		{"WeightString", withField(t, "weight_kg", "3.3"), ".weight_kg", "must be a number, got a string"},
		{"WeightNegative", withField(t, "weight_kg", -1), ".weight_kg", "kilograms from 0"},
		{"WeightHuge", withField(t, "weight_kg", 1e300), ".weight_kg", "kilograms from 0"},
		{"CODString", withField(t, "cod", "1027"), ".cod", "must be an object"},
		{"CODAmountMissing", withField(t, "cod.amount", deleteField), ".cod.amount", "missing"},
		{"CODAmountWords", withField(t, "cod.amount", "ten baht"), ".cod.amount", "decimal amount"},
		{"CODAmountNegative", withField(t, "cod.amount", "-5.00"), ".cod.amount", "decimal amount"},
		{"CODAmountNegativeNumber", withField(t, "cod.amount", -5), ".cod.amount", "decimal amount"},
		{"CODAmountBool", withField(t, "cod.amount", false), ".cod.amount", "got a boolean"},
		{"CODCurrencyMissing", withField(t, "cod.currency", deleteField), ".cod.currency", "missing"},
		{"CODCurrencyLower", withField(t, "cod.currency", "thb"), ".cod.currency", "3-letter ISO 4217"},
		{"CODCurrencySymbol", withField(t, "cod.currency", "฿"), ".cod.currency", "3-letter ISO 4217"},
		{"NoteTooLong", withField(t, "note", strings.Repeat("n", MaxNoteLen+1)), ".note", "more than 1000"},
		{"NoteArray", withField(t, "note", []any{"a"}), ".note", "got an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOrder(tt.data, base)
			if err == nil {
				t.Fatalf("ParseOrder = %+v, want an error", o)
			}
			var e *labelbridge.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *labelbridge.Error", err, err)
			}
			if e.Code != labelbridge.CodeInvalidRequest {
				t.Errorf("code %q, want %q", e.Code, labelbridge.CodeInvalidRequest)
			}
			if want := base + tt.path; e.Path != want {
				t.Errorf("path %q, want %q (%v)", e.Path, want, err)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.message)
			}
		})
	}
}

func manyItems(n int) []any {
	items := make([]any, n)
	for i := range items {
		items[i] = map[string]any{"sku": fmt.Sprintf("SKU-%d", i), "qty": 1}
	}
	return items
}

func TestParseOrderOptional(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		check func(*Order) bool
	}{
		{"NoCOD", withField(t, "cod", deleteField), func(o *Order) bool { return o.COD == nil }},
		{"NullCOD", withField(t, "cod", nil), func(o *Order) bool { return o.COD == nil }},
		{"CODNumber", withField(t, "cod.amount", 1027), func(o *Order) bool { return o.COD.Amount == "1027" }},
		{"NoWeight", withField(t, "weight_kg", deleteField), func(o *Order) bool { return o.WeightKG == 0 }},
		{"NoNote", withField(t, "note", deleteField), func(o *Order) bool { return o.Note == "" }},
		{"NoSortCode", withField(t, "sort_code", deleteField), func(o *Order) bool { return o.SortCode == "" }},
		{"NoPhone", withField(t, "recipient.phone", deleteField), func(o *Order) bool { return o.Recipient.Phone == "" }},
		{"QtyWholeFloat", withField(t, "items.0.qty", 3), func(o *Order) bool { return o.Items[0].Qty == 3 }},
		{"UnknownField", withField(t, "gift_wrap", true), func(o *Order) bool { return o.OrderID != "" }},
		{"ControlCharacters", withField(t, "recipient.name", "name\x1b@\x1d V\x00"), func(o *Order) bool { return o.Recipient.Name == "name\x1b@\x1d V\x00" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOrder(tt.data, "d")
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(o) {
				t.Errorf("got %+v", o)
			}
		})
	}
}

func TestParseBatch(t *testing.T) {
	for _, name := range sampleFiles {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/samples/" + name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseBatch(data, "job.documents[0].data")
			if err != nil {
				t.Fatal(err)
			}
			raw := readSample(t, name)
			if b.BatchID != raw.BatchID || len(b.Orders) != len(raw.Orders) {
				t.Errorf("batch %q with %d orders, want %q with %d", b.BatchID, len(b.Orders), raw.BatchID, len(raw.Orders))
			}
		})
	}
}

func TestParseBatchErrors(t *testing.T) {
	const base = "job.documents[0].data"
	tests := []struct {
		name, data, path, message string
	}{
		{"NotObject", `"B-1"`, "", "must be an object"},
		{"BatchIDMissing", `{"orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 1}]}]}`, ".batch_id", "missing"},
		{"BatchIDThai", `{"batch_id": "ชุด-1", "orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 1}]}]}`, ".batch_id", "printable ASCII"},
		{"OrdersMissing", `{"batch_id": "B-1"}`, ".orders", "missing"},
		{"OrdersEmpty", `{"batch_id": "B-1", "orders": []}`, ".orders", "at least 1"},
		{"OrderIDMissing", `{"batch_id": "B-1", "orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 1}]}, {"items": []}]}`, ".orders[1].order_id", "missing"},
		{"ItemQty", `{"batch_id": "B-1", "orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 0}]}]}`, ".orders[0].items[1].qty", "whole number"},
		{"TrackingThai", `{"batch_id": "B-1", "orders": [{"order_id": "1", "tracking_number": "ก", "items": [{"sku": "A", "qty": 1}]}]}`, ".orders[0].tracking_number", "printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBatch([]byte(tt.data), base)
			if got := labelbridge.ErrorPath(err); got != base+tt.path {
				t.Errorf("path %q, want %q (%v)", got, base+tt.path, err)
			}
			if code := labelbridge.ErrorCode(err); code != labelbridge.CodeInvalidRequest {
				t.Errorf("code %q, want %q", code, labelbridge.CodeInvalidRequest)
			}
			if err != nil && !strings.Contains(labelbridge.ErrorMessage(err), tt.message) {
				t.Errorf("message %q, want it to contain %q", labelbridge.ErrorMessage(err), tt.message)
			}
		})
	}
}

func TestParseBatchLenient(t *testing.T) {
	// A pick list may come before the courier is booked: no tracking
	// number, carrier or addresses yet.
	b, err := ParseBatch([]byte(`{"batch_id": "B-1", "orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 2, "location": "A-01"}]}]}`), "d")
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Orders[0].Items[0]; got.SKU != "A" || got.Qty != 2 || got.Location != "A-01" {
		t.Errorf("item %+v", got)
	}
}

// FuzzParseOrder checks that any input either parses or fails with an
// invalid_request error naming a field under the document's path, that a
// parsed order survives a JSON round trip unchanged, and that its label
// lays out inside the page or fails naming the field that does not fit.
func FuzzParseOrder(f *testing.F) {
	f.Add([]byte(validOrder))
	f.Add(mustRead(f, "testdata/orders/ascii.json"))
	for _, name := range []string{"orders-3.json", "orders-60-tricky.json"} {
		for _, raw := range readSample(f, name).Orders {
			f.Add([]byte(raw))
		}
	}
	for _, s := range []string{`{}`, `[]`, `null`, `{"order_id": 1}`, `{"items": [{"qty": 1e400}]}`, `{"cod": {"amount": "1e5"}}`} {
		f.Add([]byte(s))
	}
	l := mustLayout(f)
	m, err := ParseMedia("100x75mm", 203)
	if err != nil {
		f.Fatal(err)
	}
	const path = "job.documents[7].data"
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseOrder(data, path)
		if err != nil {
			var e *labelbridge.Error
			if !errors.As(err, &e) || e.Code != labelbridge.CodeInvalidRequest || !strings.HasPrefix(e.Path, path) {
				t.Fatalf("error %#v: want an invalid_request *labelbridge.Error with a path under %s", err, path)
			}
			return
		}
		again, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		o2, err := ParseOrder(again, path)
		if err != nil {
			t.Fatalf("order does not parse after a round trip: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(o, o2) {
			t.Fatalf("round trip changed the order:\n got %+v\nwant %+v", o2, o)
		}
		page, err := l.ShippingLabel(o, m, Options{Text: TextNative, NativeText: true})
		if err != nil {
			if p := labelbridge.ErrorPath(err); p != path+".tracking_number" && p != path+".order_id" {
				t.Fatalf("layout: %v: want an error naming tracking_number or order_id", err)
			}
			return
		}
		checkPage(t, page, m)
	})
}
