package render_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
)

// BenchmarkShippingLabel measures rendering one label (layout + encoding),
// per language and text mode, over the 600 sample orders, and reports labels
// a second and bytes a label.
func BenchmarkShippingLabel(b *testing.B) {
	orders := loadSamples(b, "orders-600.json").Orders
	for _, lang := range []labelbridge.Language{labelbridge.ZPL, labelbridge.TSPL, labelbridge.ESCPOS} {
		for _, text := range []string{"raster", "native"} {
			if lang == labelbridge.ESCPOS && text == "native" {
				continue // ESC/POS labels are raster only
			}
			b.Run(ext[lang]+"/"+text, func(b *testing.B) {
				r := renderer(b, lang, 203, "100x150mm", "80mm", text)
				var bytes int
				start := time.Now()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					out, err := r.Render(context.Background(), &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: orders[i%len(orders)]})
					if err != nil {
						b.Fatal(err)
					}
					bytes += len(out)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "labels/s")
				b.ReportMetric(float64(bytes)/float64(b.N), "bytes/label")
			})
		}
	}
}

// BenchmarkBatch600 renders the 600-order batch one document at a time, as
// a printer worker does, and reports the peak heap: the batch's rasters are
// never all held at once.
func BenchmarkBatch600(b *testing.B) {
	orders := loadSamples(b, "orders-600.json").Orders
	r := renderer(b, labelbridge.ZPL, 203, "100x150mm", "", "raster")
	var peak uint64
	var ms runtime.MemStats
	for i := 0; i < b.N; i++ {
		for j, o := range orders {
			if _, err := r.Render(context.Background(), &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: o}); err != nil {
				b.Fatal(err)
			}
			if j%20 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(len(orders)*b.N)/b.Elapsed().Seconds(), "labels/s")
}
