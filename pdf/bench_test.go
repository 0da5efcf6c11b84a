package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkPages600 renders a 600-page label PDF page by page, as a job
// prints it, and reports pages a second, the peak Go heap while rendering
// and the process's peak resident memory (Linux). PDFium is started before
// the clock runs; BenchmarkStart measures the start.
func BenchmarkPages600(b *testing.B) {
	const n = 600
	specs := make([]labelSpec, n)
	for i := range specs {
		specs[i] = pageLabel(100, 150)
		specs[i].tracking = fmt.Sprintf("1Z999AA1%010d", i)
	}
	data := makePDF(b, specs...)
	ctx := context.Background()
	if _, err := shared.PageCount(ctx, data); err != nil {
		b.Fatal(err)
	}
	// Garbage from compiling PDFium is not the rendering's memory.
	debug.FreeOSMemory()
	resetPeakRSS()
	var peakHeap, firstHeap uint64
	var ms runtime.MemStats
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		for p := 1; p <= n; p++ {
			if _, err := shared.Page(ctx, data, p, media(203)); err != nil {
				b.Fatal(err)
			}
			if p%20 == 0 {
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
				if firstHeap == 0 {
					firstHeap = ms.HeapInuse
				}
			}
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N*n)/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	// Growth from page 20 to the end: bounded memory keeps it near zero.
	b.ReportMetric(float64(int64(peakHeap)-int64(firstHeap))/(1<<20), "heap-growth-MB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	}
	b.ReportMetric(float64(len(data))/(1<<20), "pdf-MB")
}

// BenchmarkStart measures starting PDFium with a warm compilation cache and
// rendering one page: what the first PDF after an idle release costs.
func BenchmarkStart(b *testing.B) {
	data := makePDF(b, pageLabel(100, 150))
	ctx := context.Background()
	if _, err := shared.PageCount(ctx, data); err != nil { // the cache is warm
		b.Fatal(err)
	}
	for b.Loop() {
		r := &Rasterizer{CacheDir: shared.CacheDir}
		if _, err := r.Page(ctx, data, 1, media(203)); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkFirstStart measures the start with an empty cache: PDFium is
// compiled from WebAssembly.
func BenchmarkFirstStart(b *testing.B) {
	data := makePDF(b, pageLabel(100, 150))
	ctx := context.Background()
	for b.Loop() {
		r := &Rasterizer{CacheDir: b.TempDir()}
		if _, err := r.Page(ctx, data, 1, media(203)); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// resetPeakRSS starts the kernel's VmHWM count afresh (Linux; elsewhere a
// no-op).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM in bytes, or 0 where there is none.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(status) {
		if v, ok := strings.CutPrefix(string(line), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkPage renders one page per operation, by page shape and dpi.
func BenchmarkPage(b *testing.B) {
	pages := []struct {
		name string
		spec labelSpec
	}{
		{"100x150mm", pageLabel(100, 150)},
		{"A4LabelInCorner", labelSpec{pageW: 210, pageH: 297, x: 8, y: 8, w: 100, h: 150, tracking: tracking, orderID: orderID}},
		{"Landscape", pageLabel(150, 100)},
	}
	ctx := context.Background()
	for _, p := range pages {
		data := makePDF(b, p.spec)
		for _, dpi := range []int{203, 300} {
			b.Run(fmt.Sprintf("%s/%ddpi", p.name, dpi), func(b *testing.B) {
				for b.Loop() {
					if _, err := shared.Page(ctx, data, 1, media(dpi)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
