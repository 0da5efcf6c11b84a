package label

import (
	"fmt"
	"strconv"
	"strings"
)

// Media is what a page is printed on, in printer dots.
type Media struct {
	WidthDots, HeightDots int
	DPI                   int
	// Continuous media (receipt paper) has no fixed height: a page is as
	// long as its content and HeightDots is 0.
	Continuous bool
}

// Limits on label sizes ParseMedia accepts, in millimetres: from a small
// shelf label to the widest desktop label printer, and as long as a label
// roll's gap sensor handles.
const (
	minMediaMM  = 20
	maxWidthMM  = 220
	maxHeightMM = 600
	minDPI      = 100
	maxDPI      = 600
	mmPerInch   = 25.4
	receiptDPI  = 203
)

// ParseMedia parses a label size such as "100x150mm" or "4x6in" (width x
// height, decimals allowed) for a printer of dpi dots per inch. Sizes round
// down to whole dots, so a page never runs past the label's edge.
func ParseMedia(size string, dpi int) (Media, error) {
	if dpi < minDPI || dpi > maxDPI {
		return Media{}, fmt.Errorf("media: %d dpi is outside %d to %d", dpi, minDPI, maxDPI)
	}
	var perInch float64 // units an inch
	var dims string
	switch s := strings.ToLower(strings.TrimSpace(size)); {
	case strings.HasSuffix(s, "mm"):
		perInch, dims = mmPerInch, strings.TrimSuffix(s, "mm")
	case strings.HasSuffix(s, "in"):
		perInch, dims = 1, strings.TrimSuffix(s, "in")
	default:
		return Media{}, fmt.Errorf("media %q: want width x height in mm or in, such as 100x150mm or 4x6in", size)
	}
	ws, hs, ok := strings.Cut(dims, "x")
	if !ok {
		return Media{}, fmt.Errorf("media %q: want width x height, such as 100x150mm", size)
	}
	w, errW := strconv.ParseFloat(strings.TrimSpace(ws), 64)
	h, errH := strconv.ParseFloat(strings.TrimSpace(hs), 64)
	if errW != nil || errH != nil {
		return Media{}, fmt.Errorf("media %q: width and height must be numbers", size)
	}
	wmm, hmm := w*mmPerInch/perInch, h*mmPerInch/perInch
	if !(wmm >= minMediaMM && wmm <= maxWidthMM && hmm >= minMediaMM && hmm <= maxHeightMM) {
		return Media{}, fmt.Errorf("media %q: want %d to %d mm wide and %d to %d mm tall", size, minMediaMM, maxWidthMM, minMediaMM, maxHeightMM)
	}
	// The epsilon keeps 6 in at 203 dpi at 1218 dots when the division
	// comes out a hair under.
	dots := func(v float64) int { return int(v/perInch*float64(dpi) + 1e-9) }
	return Media{WidthDots: dots(w), HeightDots: dots(h), DPI: dpi}, nil
}

// ReceiptMedia returns the continuous media of a receipt printer whose paper
// is width wide: "80mm" prints 576 dots (72 mm) and "58mm" 384 dots (48 mm)
// at 203 dpi, the printable widths of ESC/POS printers. An empty width means
// 80mm, the common size.
func ReceiptMedia(width string) (Media, error) {
	var dots int
	switch strings.ToLower(strings.TrimSpace(width)) {
	case "80mm", "":
		dots = 576
	case "58mm":
		dots = 384
	default:
		return Media{}, fmt.Errorf("receipt width %q: want 80mm or 58mm", width)
	}
	return Media{WidthDots: dots, DPI: receiptDPI, Continuous: true}, nil
}
