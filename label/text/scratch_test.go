package text

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	st := Style{Size: 24}
	a, _, lh := r.Metrics(st)
	img := image.NewGray(image.Rect(0, 0, 340, 2*lh+8))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	r.Draw(img, 2, a+4, "ปี่ ที่ นั้น ผู้ใหญ่ กำ ญี่ปุ่น ฐู", st)
	r.Draw(img, 2, a+4+lh, "Nguyễn Đường Ẫ ฎ ฏ ฤ ญ", st)
	big := image.NewGray(image.Rect(0, 0, img.Bounds().Dx()*3, img.Bounds().Dy()*3))
	for y := 0; y < big.Bounds().Dy(); y++ {
		for x := 0; x < big.Bounds().Dx(); x++ {
			big.Pix[y*big.Stride+x] = img.Pix[(y/3)*img.Stride+x/3]
		}
	}
	f, _ := os.Create("/tmp/scratch/big.png")
	png.Encode(f, big)
	f.Close()
}
