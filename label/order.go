package label

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labelbridge/labelbridge"
)

// Order is the data of a shipping_label document, and one order of a
// pick_list batch.
type Order struct {
	OrderID        string  `json:"order_id"`
	Platform       string  `json:"platform,omitempty"`
	Carrier        string  `json:"carrier"`
	Service        string  `json:"service,omitempty"`
	TrackingNumber string  `json:"tracking_number"`
	SortCode       string  `json:"sort_code,omitempty"`
	Sender         Party   `json:"sender"`
	Recipient      Party   `json:"recipient"`
	Items          []Item  `json:"items"`
	WeightKG       float64 `json:"weight_kg,omitempty"` // 0 when not given
	COD            *COD    `json:"cod,omitempty"`       // nil when the parcel is prepaid
	Note           string  `json:"note,omitempty"`

	// path is where the order sat in the request, so that layout errors
	// (a tracking number too long to print) name the field exactly.
	path string
}

// Party is a sender or a recipient.
type Party struct {
	Name     string `json:"name"`
	Phone    string `json:"phone,omitempty"`
	Address  string `json:"address"`
	Postcode string `json:"postcode,omitempty"`
}

// Item is one order line.
type Item struct {
	SKU      string `json:"sku"`
	Name     string `json:"name,omitempty"`
	Variant  string `json:"variant,omitempty"`
	Qty      int    `json:"qty"`
	Location string `json:"location,omitempty"` // bin location in the warehouse
}

// COD is the cash the courier collects on delivery. Amount is a decimal
// string, kept as given so that no rounding changes what the courier reads.
type COD struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Batch is the data of a pick_list document.
type Batch struct {
	BatchID string  `json:"batch_id"`
	Orders  []Order `json:"orders"`

	path string
}

// Field limits. They are generous for real marketplace data and keep one
// hostile document from costing seconds of layout.
const (
	MaxIDLen       = 64  // order_id, sku
	MaxCodeLen     = 40  // tracking_number, batch_id: Code 128 printable ASCII
	MaxShortLen    = 64  // platform, carrier, service
	MaxSortCodeLen = 32  // sort_code, location
	MaxNameLen     = 200 // party names
	MaxPhoneLen    = 40
	MaxAddressLen  = 500
	MaxPostcodeLen = 20
	MaxItemNameLen = 500
	MaxVariantLen  = 100
	MaxNoteLen     = 1000
	MaxItems       = 500   // items in one order
	MaxOrders      = 1000  // orders in one batch
	MaxBatchItems  = 20000 // items over all orders of a batch
	MaxQty         = 100000
	MaxWeightKG    = 10000
)

// ParseOrder parses and checks the data of a shipping_label document. path
// is where data sits in the request ("job.documents[3].data"); every error is
// a *labelbridge.Error with code invalid_request whose Path names the
// offending field ("job.documents[3].data.tracking_number").
func ParseOrder(data []byte, path string) (*Order, error) {
	v, err := decodeJSON(data, path)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	o := p.order(v, path, true)
	if p.err != nil {
		return nil, p.err
	}
	return o, nil
}

// ParseBatch parses and checks the data of a pick_list document. Its orders
// need only order_id and items: a pick list is printed before the courier is
// booked, so tracking numbers may not exist yet. Fields that are present are
// checked as ParseOrder checks them. Errors are as ParseOrder's.
func ParseBatch(data []byte, path string) (*Batch, error) {
	v, err := decodeJSON(data, path)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	obj := p.object(v, path)
	b := &Batch{path: path}
	b.BatchID = p.code(obj, path, "batch_id")
	orders := p.array(obj, path, "orders", true, 1, MaxOrders)
	items := 0
	for i, ov := range orders {
		if o := p.order(ov, fmt.Sprintf("%s.orders[%d]", path, i), false); o != nil {
			b.Orders = append(b.Orders, *o)
			items += len(o.Items)
		}
	}
	if items > MaxBatchItems {
		p.fail(path+".orders", "hold %d items, more than the %d one pick list takes", items, MaxBatchItems)
	}
	if p.err != nil {
		return nil, p.err
	}
	return b, nil
}

func decodeJSON(data []byte, path string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, labelbridge.Invalid(path, "not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, labelbridge.Invalid(path, "not valid JSON: data after the value")
	}
	return v, nil
}

// parser walks decoded JSON. The first error sticks and later calls do
// nothing, so a run of field reads stays straight.
type parser struct {
	err error
}

func (p *parser) fail(path, format string, args ...any) {
	if p.err == nil {
		p.err = labelbridge.Invalid(path, format, args...)
	}
}

func (p *parser) order(v any, path string, full bool) *Order {
	obj := p.object(v, path)
	if p.err != nil {
		return nil
	}
	o := &Order{path: path}
	o.OrderID = p.text(obj, path, "order_id", true, MaxIDLen)
	o.Platform = p.text(obj, path, "platform", false, MaxShortLen)
	o.Carrier = p.text(obj, path, "carrier", full, MaxShortLen)
	o.Service = p.text(obj, path, "service", false, MaxShortLen)
	if full || obj["tracking_number"] != nil {
		o.TrackingNumber = p.code(obj, path, "tracking_number")
	}
	o.SortCode = p.text(obj, path, "sort_code", false, MaxSortCodeLen)
	o.Sender = p.party(obj, path, "sender", full)
	o.Recipient = p.party(obj, path, "recipient", full)
	for i, iv := range p.array(obj, path, "items", true, 1, MaxItems) {
		o.Items = append(o.Items, p.item(iv, fmt.Sprintf("%s.items[%d]", path, i)))
	}
	if w, ok := p.number(obj, path, "weight_kg"); ok {
		f, err := strconv.ParseFloat(string(w), 64)
		if err != nil || math.IsInf(f, 0) || f < 0 || f > MaxWeightKG {
			p.fail(path+".weight_kg", "must be a number of kilograms from 0 to %d", MaxWeightKG)
		}
		o.WeightKG = f
	}
	o.COD = p.cod(obj, path)
	o.Note = p.text(obj, path, "note", false, MaxNoteLen)
	if p.err != nil {
		return nil
	}
	return o
}

func (p *parser) party(obj map[string]any, path, key string, required bool) Party {
	path += "." + key
	v, ok := obj[key]
	if !ok || v == nil {
		if required {
			p.fail(path, "missing")
		}
		return Party{}
	}
	f := p.object(v, path)
	return Party{
		Name:     p.text(f, path, "name", required, MaxNameLen),
		Phone:    p.text(f, path, "phone", false, MaxPhoneLen),
		Address:  p.text(f, path, "address", required, MaxAddressLen),
		Postcode: p.text(f, path, "postcode", false, MaxPostcodeLen),
	}
}

func (p *parser) item(v any, path string) Item {
	obj := p.object(v, path)
	it := Item{
		SKU:      p.text(obj, path, "sku", true, MaxIDLen),
		Name:     p.text(obj, path, "name", false, MaxItemNameLen),
		Variant:  p.text(obj, path, "variant", false, MaxVariantLen),
		Location: p.text(obj, path, "location", false, MaxSortCodeLen),
	}
	n, ok := p.number(obj, path, "qty")
	if !ok {
		if p.err == nil {
			p.fail(path+".qty", "missing")
		}
		return it
	}
	q, err := strconv.Atoi(string(n))
	if err != nil || q < 1 || q > MaxQty {
		p.fail(path+".qty", "must be a whole number from 1 to %d, got %s", MaxQty, n)
	}
	it.Qty = q
	return it
}

var amountRE = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,4})?$`)

func (p *parser) cod(obj map[string]any, path string) *COD {
	path += ".cod"
	v, ok := obj["cod"]
	if !ok || v == nil || p.err != nil {
		return nil
	}
	f := p.object(v, path)
	c := &COD{}
	switch a := f["amount"].(type) {
	case nil:
		p.fail(path+".amount", "missing")
	case string:
		c.Amount = a
	case json.Number:
		c.Amount = string(a)
	default:
		p.fail(path+".amount", "must be a decimal string such as \"1027.00\", got %s", kindOf(a))
	}
	if p.err == nil && !amountRE.MatchString(c.Amount) {
		p.fail(path+".amount", "must be a decimal amount such as \"1027.00\", got %q", truncate(c.Amount, 40))
	}
	c.Currency = p.text(f, path, "currency", true, MaxShortLen)
	if p.err == nil && (len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency || strings.IndexFunc(c.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0) {
		p.fail(path+".currency", "must be a 3-letter ISO 4217 code such as \"THB\", got %q", c.Currency)
	}
	return c
}

func (p *parser) object(v any, path string) map[string]any {
	if p.err != nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.fail(path, "must be an object, got %s", kindOf(v))
	}
	return obj
}

func (p *parser) array(obj map[string]any, path, key string, required bool, minLen, maxLen int) []any {
	if p.err != nil {
		return nil
	}
	path += "." + key
	v, ok := obj[key]
	if !ok || v == nil {
		if required {
			p.fail(path, "missing")
		}
		return nil
	}
	a, ok := v.([]any)
	switch {
	case !ok:
		p.fail(path, "must be an array, got %s", kindOf(v))
	case len(a) < minLen:
		p.fail(path, "must hold at least %d entries", minLen)
	case len(a) > maxLen:
		p.fail(path, "holds %d entries, more than %d", len(a), maxLen)
	}
	if p.err != nil {
		return nil
	}
	return a
}

// text reads a string field of at most maxLen characters. Required fields
// must hold more than white space. Control characters are let through:
// layout prints every field as text, never as printer commands, and a
// marketplace's stray line break is no reason to hold a parcel.
func (p *parser) text(obj map[string]any, path, key string, required bool, maxLen int) string {
	if p.err != nil {
		return ""
	}
	path += "." + key
	v, ok := obj[key]
	if !ok || v == nil {
		if required {
			p.fail(path, "missing")
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		p.fail(path, "must be a string, got %s", kindOf(v))
		return ""
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		p.fail(path, "%d characters, more than %d", n, maxLen)
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		p.fail(path, "must not be empty")
		return ""
	}
	return s
}

// code reads a field printed as a Code 128 barcode: printable ASCII only.
func (p *parser) code(obj map[string]any, path, key string) string {
	s := p.text(obj, path, key, true, MaxCodeLen)
	if p.err != nil {
		return ""
	}
	for i, r := range s {
		if r < 0x20 || r > 0x7E {
			p.fail(path+"."+key, "must be printable ASCII for its Code 128 barcode; %U at byte %d is not", r, i)
			return ""
		}
	}
	return s
}

// number reads an optional number field.
func (p *parser) number(obj map[string]any, path, key string) (json.Number, bool) {
	if p.err != nil {
		return "", false
	}
	v, ok := obj[key]
	if !ok || v == nil {
		return "", false
	}
	n, ok := v.(json.Number)
	if !ok {
		p.fail(path+"."+key, "must be a number, got %s", kindOf(v))
		return "", false
	}
	return n, true
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
