package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// palette colors the systems in report order; armorlake's topologies come
// first.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
	{0x9e, 0x9e, 0x9e, 0xff}, // grey
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
}

// drawPlot draws each query's medians as horizontal bars, one per system,
// on a logarithmic time axis, and writes the PNG to path.
func drawPlot(path string, r *report) error {
	const (
		width   = 1100
		left    = 70
		right   = 90
		top     = 70
		bottom  = 50
		barH    = 13
		groupGp = 12
	)
	ns := len(r.systems)
	height := top + bottom + len(r.queries)*(ns*barH+groupGp)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	face := basicfont.Face7x13
	text := func(x, y int, c color.Color, s string) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	textWidth := func(s string) int { return font.MeasureString(face, s).Round() }
	rect := func(x0, y0, x1, y1 int, c color.Color) {
		draw.Draw(img, image.Rect(x0, y0, x1, y1), image.NewUniform(c), image.Point{}, draw.Src)
	}

	// The axis spans whole decades of milliseconds around every median.
	lo, hi := math.Inf(1), math.Inf(-1)
	for qi := range r.queries {
		for si := range r.systems {
			if d := r.results[qi][si].median(); d > 0 {
				ms := float64(d) / float64(time.Millisecond)
				lo, hi = math.Min(lo, ms), math.Max(hi, ms)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return fmt.Errorf("no query has a time to plot")
	}
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi == dlo {
		dhi++
	}
	plotW := width - left - right
	xOf := func(ms float64) int {
		return left + int(float64(plotW)*(math.Log10(ms)-dlo)/(dhi-dlo))
	}
	grey := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	dark := color.RGBA{0x33, 0x33, 0x33, 0xff}
	for d := dlo; d <= dhi; d++ {
		x := xOf(math.Pow(10, d))
		rect(x, top-5, x+1, height-bottom+5, grey)
		label := fmt.Sprintf("%g ms", math.Pow(10, d))
		text(x-textWidth(label)/2, height-bottom+20, dark, label)
	}
	text(left, 20, color.Black, fmt.Sprintf("Query medians, %s events, %s (log scale, shorter is faster)", thousands(r.export.Events()), r.started.Format("2006-01-02")))
	// Legend.
	x := left
	for si, s := range r.systems {
		rect(x, 35, x+12, 47, palette[si%len(palette)])
		text(x+16, 46, dark, s.name)
		x += 16 + textWidth(s.name) + 24
	}
	y := top
	for qi, q := range r.queries {
		text(10, y+ns*barH/2+5, dark, q.label)
		for si := range r.systems {
			d := r.results[qi][si].median()
			if d <= 0 {
				text(left+4, y+barH-2, color.RGBA{0xd6, 0x27, 0x28, 0xff}, "error")
			} else {
				ms := float64(d) / float64(time.Millisecond)
				x1 := max(xOf(ms), left+1)
				rect(left, y+1, x1, y+barH-1, palette[si%len(palette)])
				text(x1+4, y+barH-2, dark, fmtDur(d))
			}
			y += barH
		}
		y += groupGp
	}
	rect(left, top-5, left+1, height-bottom+5, dark)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
