package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/render"
)

// renderResult is one language, text mode and order set rendered serially
// on one core and in parallel on all of them.
type renderResult struct {
	Language     string  `json:"language"`
	Text         string  `json:"text"`
	Orders       string  `json:"orders"` // thai | ascii
	Labels       int     `json:"labels"`
	PerSecOne    float64 `json:"labels_per_s_1core"`
	PerSecAll    float64 `json:"labels_per_s_all_cores"`
	Cores        int     `json:"cores"`
	MeanBytes    float64 `json:"mean_bytes"`
	MaxBytes     int     `json:"max_bytes"`
	Serial9600Ms float64 `json:"ms_at_9600_baud"` // mean label at 8N1: 10 bits a byte
}

func runRender(args []string) (any, error) {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	ordersPath := fs.String("orders", "label/testdata/samples/orders-600.json", "sample orders")
	n := fs.Int("n", 600, "orders")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	thai, err := loadOrders(*ordersPath, *n)
	if err != nil {
		return nil, err
	}
	ascii, err := asciiOrders(thai)
	if err != nil {
		return nil, err
	}
	layout, err := label.New()
	if err != nil {
		return nil, err
	}
	type cfg struct {
		lang labelbridge.Language
		text string
	}
	cfgs := []cfg{
		{labelbridge.ZPL, "auto"}, {labelbridge.ZPL, "raster"},
		{labelbridge.TSPL, "auto"}, {labelbridge.TSPL, "raster"},
		{labelbridge.ESCPOS, "raster"},
	}
	sets := []struct {
		name   string
		orders []json.RawMessage
	}{{"thai", thai}, {"ascii", ascii}}
	var results []renderResult
	for _, c := range cfgs {
		for _, set := range sets {
			r := &render.Renderer{Layout: layout, Printer: render.Printer{Name: "bench", Language: c.lang, DPI: 203, Media: "100x150mm", Width: "80mm", Text: c.text}}
			// A warm-up pass fills font and glyph caches.
			if _, _, err := renderAll(r, set.orders[:min(20, len(set.orders))], 1); err != nil {
				return nil, fmt.Errorf("render %s/%s/%s: %w", c.lang, c.text, set.name, err)
			}
			sizes, one, err := renderAll(r, set.orders, 1)
			if err != nil {
				return nil, fmt.Errorf("render %s/%s/%s: %w", c.lang, c.text, set.name, err)
			}
			cores := runtime.NumCPU()
			_, all, err := renderAll(r, set.orders, cores)
			if err != nil {
				return nil, fmt.Errorf("render %s/%s/%s: %w", c.lang, c.text, set.name, err)
			}
			res := renderResult{Language: string(c.lang), Text: c.text, Orders: set.name, Labels: len(set.orders), Cores: cores,
				PerSecOne: float64(len(set.orders)) / one.Seconds(), PerSecAll: float64(len(set.orders)) / all.Seconds()}
			total := 0
			for _, s := range sizes {
				total += s
				res.MaxBytes = max(res.MaxBytes, s)
			}
			res.MeanBytes = float64(total) / float64(len(sizes))
			res.Serial9600Ms = res.MeanBytes * 10 / 9600 * 1000
			results = append(results, res)
		}
	}
	return map[string]any{"results": results}, nil
}

// renderAll renders every order with the given number of workers (and as
// many OS threads running Go code), returning each label's size and the
// wall time.
func renderAll(r *render.Renderer, orders []json.RawMessage, workers int) ([]int, time.Duration, error) {
	prev := runtime.GOMAXPROCS(workers)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	sizes := make([]int, len(orders))
	errs := make([]error, workers)
	next := make(chan int, len(orders))
	for i := range orders {
		next <- i
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out, err := r.Render(context.Background(), &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: orders[i]})
				if err != nil {
					errs[w] = err
					return
				}
				sizes[i] = len(out)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	return sizes, el, nil
}
