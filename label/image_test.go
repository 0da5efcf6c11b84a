package label

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestOverlay checks the byte-shifting overlay against pixel-by-pixel
// drawing at every alignment, including bitmaps hanging off the page.
func TestOverlay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{1, 1}, {7, 3}, {8, 2}, {13, 5}, {30, 4}} {
		src := NewMono(size[0], size[1])
		for i := range src.Pix {
			src.Pix[i] = byte(rng.Uint32()) // padding bits too: they must not print
		}
		for x := -9; x <= 40; x++ {
			for _, y := range []int{-2, 0, 3} {
				t.Run(fmt.Sprintf("%dx%d/at%d,%d", size[0], size[1], x, y), func(t *testing.T) {
					got := NewMono(37, 9)
					overlay(got, x, y, src)
					want := NewMono(37, 9)
					for sy := range src.H {
						for sx := range src.W {
							if src.Black(sx, sy) {
								want.SetBlack(x+sx, y+sy, true)
							}
						}
					}
					if string(got.Pix) != string(want.Pix) {
						t.Errorf("overlay differs from pixel-by-pixel drawing:\n got %x\nwant %x", got.Pix, want.Pix)
					}
				})
			}
		}
	}
}

func TestImage(t *testing.T) {
	bm := NewMono(3, 2)
	bm.SetBlack(0, 0, true)
	bm.SetBlack(2, 1, true)
	p := &Page{Width: 10, Height: 6, Elements: []Element{
		&Rect{X: 1, Y: 1, W: 2, H: 3},
		&Rect{X: 8, Y: 4, W: 5, H: 5}, // runs off the page: clipped
		&Bitmap{X: 5, Y: 0, Img: bm},
	}}
	img := p.Image()
	want := []string{
		".....#....",
		".##....#..",
		".##.......",
		".##.......",
		"........##",
		"........##",
	}
	for y, row := range want {
		for x, c := range row {
			if got := img.Black(x, y); got != (c == '#') {
				t.Errorf("pixel %d,%d black = %v, want %v", x, y, got, c == '#')
			}
		}
	}
}
