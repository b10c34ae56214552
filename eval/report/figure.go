package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/daalab/daa/eval/scaling"
)

// Series is a set of points drawn in one colour with one legend entry.
type Series struct {
	Label string    // legend entry, e.g. "β = 0.1"; empty adds no entry
	X, Y  []float64 // the points
	YErr  []float64 // optional: error bar half-widths (one standard error); nil for none
	Line  bool      // join the points in order with a line (training curves)
	// Fit, when non-nil, is drawn in the series colour over the range of
	// the series' X, cut off where it leaves the panel's data range in Y
	// (the axes), so the axes stay those of the data.
	Fit *scaling.Fit
}

// Panel is one plot of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// Fits are fits to all of the panel's points, drawn black over the range
	// of their X, cut off as Series.Fit is, with a different dash pattern
	// each and a legend entry naming the form.
	Fits []scaling.Fit
}

// Panel sizes and the PNG resolution. Each panel is panelWidth wide, plus
// legendWidth to the right of its axes for the legend when any panel of the
// figure has legend entries (the legend then covers no data point).
const (
	panelWidth  = 4 * vg.Inch
	legendWidth = 1.2 * vg.Inch
	panelHeight = 3.2 * vg.Inch
	pngDPI      = 150
)

// WritePanels draws panels on a grid of cols columns (as many rows as
// needed) and writes the figure to path, as PNG or SVG by the extension
// (.png, .svg). It returns an error for another extension, an empty panel
// list, non-finite data, or a failed write. It panics if a series' X, Y and
// (non-nil) YErr differ in length, or cols < 1.
func WritePanels(path string, panels []Panel, cols int) error {
	if cols < 1 {
		panic(fmt.Sprintf("report: WritePanels: %d columns", cols))
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("report: %s: unsupported figure format %q (want .png or .svg)", path, ext)
	}
	if len(panels) == 0 {
		return fmt.Errorf("report: %s: no panels to draw", path)
	}
	cols = min(cols, len(panels))
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	legends := make([][]*plot.Legend, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		legends[r] = make([]*plot.Legend, cols)
	}
	legendW := vg.Length(0)
	for i, pn := range panels {
		p, legend, err := drawPanel(pn)
		if err != nil {
			return fmt.Errorf("report: %s: panel %d (%q): %w", path, i, pn.Title, err)
		}
		grid[i/cols][i%cols], legends[i/cols][i%cols] = p, legend
		if legend != nil {
			legendW = legendWidth
		}
	}
	w, h := (panelWidth+legendW)*vg.Length(cols), panelHeight*vg.Length(rows)
	var canvas vg.CanvasWriterTo
	if ext == ".png" {
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))}
	} else {
		canvas = vgsvg.New(w, h)
	}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			if p == nil {
				continue
			}
			// The axes on the left, the legend in a strip on the right.
			tile := canvases[r][c]
			p.Draw(draw.Crop(tile, 0, -legendW, 0, 0))
			if l := legends[r][c]; l != nil {
				strip := draw.Crop(tile, tile.Max.X-tile.Min.X-legendW+vg.Millimeter*2, 0, 0, 0)
				l.Draw(strip)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return fmt.Errorf("report: %s: encoding: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

// errorPoints gives plotter.NewYErrorBars points with symmetric errors.
type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// drawPanel builds the plot of one panel and its legend (nil when no entry
// has a label). Fitted curves are clipped to the data's range in y.
func drawPanel(pn Panel) (*plot.Plot, *plot.Legend, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = pn.XLabel
	p.Y.Label.Text = pn.YLabel
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	entries := 0
	p.Add(plotter.NewGrid())
	yLo, yHi := dataYRange(pn.Series)
	for k, s := range pn.Series {
		if len(s.X) != len(s.Y) || (s.YErr != nil && len(s.YErr) != len(s.X)) {
			panic(fmt.Sprintf("report: series %q has %d x, %d y and %d error values", s.Label, len(s.X), len(s.Y), len(s.YErr)))
		}
		col := plotutil.Color(k)
		xys := make(plotter.XYs, len(s.X))
		for i := range s.X {
			xys[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, nil, fmt.Errorf("series %q: %w", s.Label, err)
		}
		sc.GlyphStyle.Color = col
		sc.GlyphStyle.Shape = plotutil.Shape(k)
		sc.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(sc)
		if s.Label != "" {
			legend.Add(s.Label, sc)
			entries++
		}
		if s.Line {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, nil, fmt.Errorf("series %q: %w", s.Label, err)
			}
			l.LineStyle.Color = col
			p.Add(l)
		}
		if s.YErr != nil {
			errs := make(plotter.YErrors, len(s.YErr))
			for i, e := range s.YErr {
				errs[i].Low, errs[i].High = e, e
			}
			eb, err := plotter.NewYErrorBars(errorPoints{xys, errs})
			if err != nil {
				return nil, nil, fmt.Errorf("series %q error bars: %w", s.Label, err)
			}
			eb.LineStyle.Color = col
			p.Add(eb)
		}
		if s.Fit != nil {
			fitCurve(p, *s.Fit, s.X, yLo, yHi, lineStyle(col, nil))
		}
	}
	var all []float64
	for _, s := range pn.Series {
		all = append(all, s.X...)
	}
	for k, fit := range pn.Fits {
		style := lineStyle(color.Black, dashes[k%len(dashes)])
		fitCurve(p, fit, all, yLo, yHi, style)
		legend.Add(fmt.Sprintf("%s fit", fit.Form), &plotter.Line{LineStyle: style})
		entries++
	}
	if entries == 0 {
		return p, nil, nil
	}
	return p, &legend, nil
}

// dataYRange returns the range in y of the series' points with their error
// bars (what the axes show); (0, 0) when there are none.
func dataYRange(series []Series) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for i, y := range s.Y {
			e := 0.0
			if s.YErr != nil && i < len(s.YErr) {
				e = math.Abs(s.YErr[i])
			}
			lo, hi = math.Min(lo, y-e), math.Max(hi, y+e)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

// dashes are the dash patterns of panel-wide fits, in order.
var dashes = [][]vg.Length{
	{vg.Points(5), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// fitSamples is the number of points a fitted curve is drawn through.
const fitSamples = 200

// fitCurve adds the fitted scaling law to p as the lines of fitPieces.
func fitCurve(p *plot.Plot, f scaling.Fit, x []float64, yLo, yHi float64, style draw.LineStyle) {
	for _, piece := range fitPieces(f, x, yLo, yHi) {
		xys := make(plotter.XYs, len(piece[0]))
		for i := range xys {
			xys[i] = plotter.XY{X: piece[0][i], Y: piece[1][i]}
		}
		p.Add(&plotter.Line{XYs: xys, LineStyle: style})
	}
}

// fitPieces samples R(d) of the fit at fitSamples points over
// [max(min x, 0), max x] and cuts the curve to yLo <= R(d) <= yHi
// (clipPolyline), so that it stays inside the axes the data set. It
// returns nothing when x spans no interval.
func fitPieces(f scaling.Fit, x []float64, yLo, yHi float64) [][2][]float64 {
	if len(x) == 0 {
		return nil
	}
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	lo = math.Max(lo, 0) // R(d) is defined for d >= 0
	if !(hi > lo) {
		return nil
	}
	xs, ys := make([]float64, fitSamples), make([]float64, fitSamples)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(fitSamples-1)
		ys[i] = f.Predict(xs[i])
	}
	return clipPolyline(xs, ys, yLo, yHi)
}

// lineStyle is the style of a fitted curve: 1.5 pt in col, dashed by dash
// (nil for solid).
func lineStyle(col color.Color, dash []vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: dash}
}
