package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

func TestASCIIString(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"ascii unchanged", "99/9 Sukhumvit 101"},
		{"thai replaced", "ร้านน้ำใจ ช็อป (Namjai Shop)"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := asciiString(tt.in)
			for _, r := range got {
				if r >= utf8.RuneSelf {
					t.Fatalf("asciiString(%q) = %q, holds %q", tt.in, got, r)
				}
			}
			if n, want := len(got), utf8.RuneCountInString(tt.in); n != want {
				t.Errorf("asciiString(%q) is %d bytes, want one a character: %d", tt.in, n, want)
			}
		})
	}
}

func TestASCIIOrdersKeepsFields(t *testing.T) {
	orders, err := loadOrders(filepath.Join("..", "..", "label", "testdata", "samples", "orders-3.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	ascii, err := asciiOrders(orders)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orders {
		var before, after map[string]any
		json.Unmarshal(orders[i], &before)
		json.Unmarshal(ascii[i], &after)
		if len(before) != len(after) {
			t.Errorf("order %d: %d fields, want %d", i, len(after), len(before))
		}
		if before["order_id"] != after["order_id"] {
			t.Errorf("order %d: order_id %v, want %v", i, after["order_id"], before["order_id"])
		}
		for _, r := range string(ascii[i]) {
			if r >= utf8.RuneSelf {
				t.Fatalf("order %d still holds %q", i, r)
			}
		}
	}
}

// TestSubcommandsRun runs render and image at a tiny size: the suite
// works, whatever its figures (timing goals belong to scripts/bench).
func TestSubcommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("renders labels")
	}
	out, err := runRender([]string{"-orders", filepath.Join("..", "..", "label", "testdata", "samples", "orders-3.json"), "-n", "2"})
	if err != nil {
		t.Fatal(err)
	}
	results := out.(map[string]any)["results"].([]renderResult)
	if len(results) != 10 {
		t.Errorf("render gave %d results, want 10 (5 language/text pairs x 2 order sets)", len(results))
	}
	for _, r := range results {
		if r.MeanBytes == 0 || r.PerSecOne <= 0 {
			t.Errorf("render %s/%s/%s: %+v, want bytes and a rate", r.Language, r.Text, r.Orders, r)
		}
	}
	img, err := runImage([]string{"-png", filepath.Join("..", "testdata", "photo-800x1200.png"), "-n", "1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range img.(map[string]any)["results"].([]imageResult)[1:] {
		if r.Bytes == 0 {
			t.Errorf("image %s wrote no bytes", r.Name)
		}
	}
}
