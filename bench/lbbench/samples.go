package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// loadOrders reads the sample batch and returns its first n orders (all
// when n <= 0 or larger than the batch), each as the JSON a client sends.
func loadOrders(path string, n int) ([]json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	var b struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(b.Orders) == 0 {
		return nil, fmt.Errorf("%s holds no orders", path)
	}
	if n > 0 && n < len(b.Orders) {
		b.Orders = b.Orders[:n]
	}
	return b.Orders, nil
}

// asciiOrders returns the orders with every run of non-ASCII characters
// replaced by as many ASCII letters, so that the same orders lay out with
// the printer's own font instead of raster text.
func asciiOrders(orders []json.RawMessage) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(orders))
	for i, o := range orders {
		var v any
		if err := json.Unmarshal(o, &v); err != nil {
			return nil, fmt.Errorf("order %d: %w", i, err)
		}
		b, err := json.Marshal(asciiValue(v))
		if err != nil {
			return nil, fmt.Errorf("order %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

func asciiValue(v any) any {
	switch v := v.(type) {
	case string:
		return asciiString(v)
	case []any:
		for i := range v {
			v[i] = asciiValue(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = asciiValue(v[k])
		}
	}
	return v
}

func asciiString(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return s
	}
	const letters = "aeiounmkstrhlp"
	var b strings.Builder
	i := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		b.WriteByte(letters[(int(r)+i)%len(letters)])
		i++
	}
	return b.String()
}
