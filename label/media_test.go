package label

import (
	"fmt"
	"testing"
)

func TestParseMedia(t *testing.T) {
	tests := []struct {
		size string
		dpi  int
		want Media
	}{
		{"100x150mm", 203, Media{WidthDots: 799, HeightDots: 1198, DPI: 203}},
		{"100x150mm", 300, Media{WidthDots: 1181, HeightDots: 1771, DPI: 300}},
		{"4x6in", 203, Media{WidthDots: 812, HeightDots: 1218, DPI: 203}},
		{"4x6in", 300, Media{WidthDots: 1200, HeightDots: 1800, DPI: 300}},
		{"100x100mm", 203, Media{WidthDots: 799, HeightDots: 799, DPI: 203}},
		{"100x75mm", 203, Media{WidthDots: 799, HeightDots: 599, DPI: 203}},
		{"100x75mm", 300, Media{WidthDots: 1181, HeightDots: 885, DPI: 300}},
		{" 62.5 x 29MM ", 300, Media{WidthDots: 738, HeightDots: 342, DPI: 300}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.size, tt.dpi), func(t *testing.T) {
			got, err := ParseMedia(tt.size, tt.dpi)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseMedia(%q, %d) = %+v, want %+v", tt.size, tt.dpi, got, tt.want)
			}
		})
	}
}

func TestParseMediaErrors(t *testing.T) {
	tests := []struct {
		name, size string
		dpi        int
	}{
		{"Empty", "", 203},
		{"NoUnit", "100x150", 203},
		{"Centimetres", "10x15cm", 203},
		{"OneDimension", "100mm", 203},
		{"Words", "AxBmm", 203},
		{"TooSmall", "10x10mm", 203},
		{"TooWide", "300x150mm", 203},
		{"TooLong", "100x1000mm", 203},
		{"Negative", "-100x150mm", 203},
		{"NaN", "NaNx150mm", 203},
		{"Inf", "100xInfmm", 203},
		{"LowDPI", "100x150mm", 72},
		{"HighDPI", "100x150mm", 1200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := ParseMedia(tt.size, tt.dpi); err == nil {
				t.Errorf("ParseMedia(%q, %d) = %+v, want an error", tt.size, tt.dpi, m)
			}
		})
	}
}

func TestReceiptMedia(t *testing.T) {
	tests := []struct {
		width string
		dots  int
	}{
		{"80mm", 576}, {"58mm", 384}, {"", 576}, {"58MM", 384},
	}
	for _, tt := range tests {
		t.Run(tt.width, func(t *testing.T) {
			m, err := ReceiptMedia(tt.width)
			if err != nil {
				t.Fatal(err)
			}
			if want := (Media{WidthDots: tt.dots, DPI: 203, Continuous: true}); m != want {
				t.Errorf("ReceiptMedia(%q) = %+v, want %+v", tt.width, m, want)
			}
		})
	}
	if m, err := ReceiptMedia("110mm"); err == nil {
		t.Errorf("ReceiptMedia(110mm) = %+v, want an error", m)
	}
}

// FuzzParseMedia checks that any size a document names either fails or
// gives a page within the limits, whose dots match the size it parsed.
func FuzzParseMedia(f *testing.F) {
	for _, s := range []string{"100x150mm", "4x6in", "100x100mm", "100x75mm", "62.5x29mm", "1e1x1e1in", "x", ""} {
		f.Add(s, 203)
	}
	f.Fuzz(func(t *testing.T, size string, dpi int) {
		m, err := ParseMedia(size, dpi)
		if err != nil {
			return
		}
		maxW, maxH := maxWidthMM*dpi*10/254+1, maxHeightMM*dpi*10/254+1
		if m.DPI != dpi || m.WidthDots <= 0 || m.HeightDots <= 0 || m.WidthDots > maxW || m.HeightDots > maxH {
			t.Fatalf("ParseMedia(%q, %d) = %+v: outside the limits", size, dpi, m)
		}
	})
}
