package label

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
)

func mustBatch(tb testing.TB, path string) *Batch {
	tb.Helper()
	b, err := ParseBatch(mustRead(tb, path), "job.documents[0].data")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestPickLines(t *testing.T) {
	b := &Batch{BatchID: "B", Orders: []Order{
		{OrderID: "1", Items: []Item{
			{SKU: "TS-RED-L", Name: "Tee", Variant: "L", Qty: 1, Location: "B-01-01"},
			{SKU: "MUG", Qty: 2, Location: "A-02-01"},
			{SKU: "MUG", Qty: 1, Location: "A-02-01"}, // same line twice in one order
		}},
		{OrderID: "2", Items: []Item{
			{SKU: "MUG", Qty: 3, Location: "A-02-01"},
			{SKU: "MUG", Qty: 1, Location: "C-09-09"}, // same SKU in another bin
			{SKU: "CARD", Qty: 1},                     // no location: last
			{SKU: "BAG", Qty: 1, Location: "A-02-01"},
		}},
	}}
	got := PickLines(b)
	want := []PickLine{
		{Location: "A-02-01", SKU: "BAG", Qty: 1, Orders: 1},
		{Location: "A-02-01", SKU: "MUG", Qty: 6, Orders: 2},
		{Location: "B-01-01", SKU: "TS-RED-L", Name: "Tee", Variant: "L", Qty: 1, Orders: 1},
		{Location: "C-09-09", SKU: "MUG", Qty: 1, Orders: 1},
		{Location: "", SKU: "CARD", Qty: 1, Orders: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PickLines:\n got %+v\nwant %+v", got, want)
	}
}

func TestPickLinesSamples(t *testing.T) {
	for _, name := range sampleFiles {
		t.Run(name, func(t *testing.T) {
			b := mustBatch(t, "testdata/samples/"+name)
			lines := PickLines(b)
			units, want := 0, 0
			for _, o := range b.Orders {
				for _, it := range o.Items {
					want += it.Qty
				}
			}
			for i, l := range lines {
				units += l.Qty
				if i > 0 {
					p := lines[i-1]
					if p.Location > l.Location || (p.Location == l.Location && p.SKU >= l.SKU) {
						t.Errorf("line %d (%s %s) after (%s %s): not sorted by location, then SKU, once each", i, l.Location, l.SKU, p.Location, p.SKU)
					}
				}
			}
			if units != want {
				t.Errorf("lines hold %d units, orders %d", units, want)
			}
		})
	}
}

// pickMedia are the media pick lists are laid out on in golden tests.
var pickMedia = []struct {
	name  string
	media func(testing.TB) Media
}{
	{"receipt-80mm", func(tb testing.TB) Media { return mustReceipt(tb, "80mm") }},
	{"receipt-58mm", func(tb testing.TB) Media { return mustReceipt(tb, "58mm") }},
	{"label-100x150mm-203", func(tb testing.TB) Media { return mustMedia(tb, "100x150mm", 203) }},
}

func mustReceipt(tb testing.TB, width string) Media {
	tb.Helper()
	m, err := ReceiptMedia(width)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestPickListGolden(t *testing.T) {
	l := mustLayout(t)
	b := mustBatch(t, "testdata/batches/pick.json")
	for _, pm := range pickMedia {
		t.Run(pm.name, func(t *testing.T) {
			t.Parallel()
			m := pm.media(t)
			pages, err := l.PickList(b, m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Continuous && (len(pages) != 1 || !pages[0].Cut) {
				t.Errorf("receipt: %d pages, want one that is cut", len(pages))
			}
			if !m.Continuous && len(pages) < 2 {
				t.Errorf("label roll: %d pages, want the list continued over several", len(pages))
			}
			for i, p := range pages {
				checkPage(t, p, m)
				img := p.Image()
				checkGolden(t, fmt.Sprintf("picklist-%s-%d", pm.name, i+1), img)
				if i == 0 {
					if got, err := decode1D(binaryBitmap(t, img)); err != nil || got != b.BatchID {
						t.Errorf("batch id barcode reads %q (error %v), want %q", got, err, b.BatchID)
					}
				}
			}
		})
	}
}

func TestPickListSamples(t *testing.T) {
	l := mustLayout(t)
	for _, name := range []string{"orders-3.json", "orders-60-tricky.json"} {
		b := mustBatch(t, "testdata/samples/"+name)
		for _, pm := range pickMedia {
			t.Run(name+"/"+pm.name, func(t *testing.T) {
				t.Parallel()
				m := pm.media(t)
				for _, opt := range []Options{{}, {Text: TextNative, NativeText: true}} {
					pages, err := l.PickList(b, m, opt)
					if err != nil {
						t.Fatal(err)
					}
					for i, p := range pages {
						checkPage(t, p, m)
						if *dumpDir != "" && opt.Text == "" {
							writePNG(t, filepath.Join(*dumpDir, fmt.Sprintf("pick-%s-%s-%d.png", name, pm.name, i+1)), p.Image())
						}
						// The page number is plain ASCII, so in native mode it
						// is a Text element to look for.
						if !m.Continuous && opt.NativeText {
							if !pageHasText(p, fmt.Sprintf("%d/%d", i+1, len(pages))) {
								t.Errorf("page %d of %d does not say %d/%d", i+1, len(pages), i+1, len(pages))
							}
						}
					}
				}
			})
		}
	}
}

// pageHasText reports whether p carries s as a Text element.
func pageHasText(p *Page, s string) bool {
	for _, e := range p.Elements {
		if e, ok := e.(*Text); ok && e.Text == s {
			return true
		}
	}
	return false
}

func TestPickListErrors(t *testing.T) {
	l := mustLayout(t)
	t.Run("BatchIDTooWide", func(t *testing.T) {
		b := &Batch{BatchID: strings.Repeat("W", MaxCodeLen), Orders: []Order{{OrderID: "1", Items: []Item{{SKU: "A", Qty: 1}}}}, path: "job.documents[2].data"}
		_, err := l.PickList(b, mustReceipt(t, "58mm"), Options{})
		if got, want := labelbridge.ErrorPath(err), "job.documents[2].data.batch_id"; got != want {
			t.Errorf("path %q, want %q (%v)", got, want, err)
		}
	})
	t.Run("LabelTooShort", func(t *testing.T) {
		b := mustBatch(t, "testdata/batches/pick.json")
		if pages, err := l.PickList(b, mustMedia(t, "100x30mm", 203), Options{}); err == nil {
			t.Errorf("PickList on 100x30mm = %d pages, want an error", len(pages))
		}
	})
	t.Run("TooManyItems", func(t *testing.T) {
		var orders []string
		for i := range MaxBatchItems/MaxItems + 1 {
			items, err := json.Marshal(manyItems(MaxItems))
			if err != nil {
				t.Fatal(err)
			}
			orders = append(orders, fmt.Sprintf(`{"order_id": "%d", "items": %s}`, i, items))
		}
		_, err := ParseBatch([]byte(`{"batch_id": "B", "orders": [`+strings.Join(orders, ",")+`]}`), "d")
		if got := labelbridge.ErrorPath(err); got != "d.orders" {
			t.Errorf("path %q, want d.orders (%v)", got, err)
		}
	})
}

func BenchmarkPickList(b *testing.B) {
	l := mustLayout(b)
	batch := mustBatch(b, "testdata/samples/orders-600.json")
	for _, pm := range pickMedia {
		b.Run(pm.name, func(b *testing.B) {
			m := pm.media(b)
			for b.Loop() {
				if _, err := l.PickList(batch, m, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzParseBatch(f *testing.F) {
	f.Add(mustRead(f, "testdata/batches/pick.json"))
	f.Add(mustRead(f, "testdata/samples/orders-3.json"))
	f.Add([]byte(`{"batch_id": "B-1", "orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 1}]}]}`))
	l := mustLayout(f)
	m, err := ReceiptMedia("58mm")
	if err != nil {
		f.Fatal(err)
	}
	const path = "job.documents[1].data"
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBatch(data, path)
		if err != nil {
			if labelbridge.ErrorCode(err) != labelbridge.CodeInvalidRequest || !strings.HasPrefix(labelbridge.ErrorPath(err), path) {
				t.Fatalf("error %v: want invalid_request with a path under %s", err, path)
			}
			return
		}
		lines := PickLines(b)
		for i := 1; i < len(lines); i++ {
			if a, c := lines[i-1], lines[i]; a.Location == c.Location && a.SKU == c.SKU {
				t.Fatalf("lines %d and %d both hold %s at %s", i-1, i, c.SKU, c.Location)
			}
		}
		pages, err := l.PickList(b, m, Options{})
		if err != nil {
			if p := labelbridge.ErrorPath(err); p != path+".batch_id" {
				t.Fatalf("layout: %v: want an error naming batch_id", err)
			}
			return
		}
		for _, p := range pages {
			checkPage(t, p, m)
		}
	})
}
