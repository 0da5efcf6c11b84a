package printer_test

import (
	"context"
	"testing"
)

// BenchmarkWrite measures sending a 256 KiB document (a large raster
// label) over each transport, simulator included.
func BenchmarkWrite(b *testing.B) {
	doc := make([]byte, 256<<10)
	for i := range doc {
		doc[i] = byte(i)
	}
	for _, tr := range transports() {
		b.Run(tr.name, func(b *testing.B) {
			conn, o, _ := tr.start(b)
			c := mustOpen(b, conn, o)
			defer c.Close()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if err := c.Write(context.Background(), doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
