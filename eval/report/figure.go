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
	// Fit, when non-nil, is drawn in the series colour over [0, max X].
	Fit *scaling.Fit
}

// Panel is one plot of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// Fits are fits to all of the panel's points, drawn black over [0, max X]
	// with a different dash pattern each and a legend entry naming the form.
	Fits []scaling.Fit
}

// Panel sizes and the PNG resolution.
const (
	panelWidth  = 4 * vg.Inch
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
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for i, pn := range panels {
		p, err := drawPanel(pn)
		if err != nil {
			return fmt.Errorf("report: %s: panel %d (%q): %w", path, i, pn.Title, err)
		}
		grid[i/cols][i%cols] = p
	}
	w, h := panelWidth*vg.Length(cols), panelHeight*vg.Length(rows)
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
			if p != nil {
				p.Draw(canvases[r][c])
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

// drawPanel builds the plot of one panel.
func drawPanel(pn Panel) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = pn.XLabel
	p.Y.Label.Text = pn.YLabel
	// Bottom right: empty in the study's plots, where win rate humps and
	// KL grows with training.
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	xMax := 0.0
	for k, s := range pn.Series {
		if len(s.X) != len(s.Y) || (s.YErr != nil && len(s.YErr) != len(s.X)) {
			panic(fmt.Sprintf("report: series %q has %d x, %d y and %d error values", s.Label, len(s.X), len(s.Y), len(s.YErr)))
		}
		col := plotutil.Color(k)
		xys := make(plotter.XYs, len(s.X))
		for i := range s.X {
			xys[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
			xMax = math.Max(xMax, s.X[i])
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Label, err)
		}
		sc.GlyphStyle.Color = col
		sc.GlyphStyle.Shape = plotutil.Shape(k)
		sc.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(sc)
		if s.Label != "" {
			p.Legend.Add(s.Label, sc)
		}
		if s.Line {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("series %q: %w", s.Label, err)
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
				return nil, fmt.Errorf("series %q error bars: %w", s.Label, err)
			}
			eb.LineStyle.Color = col
			p.Add(eb)
		}
		if s.Fit != nil {
			p.Add(fitCurve(*s.Fit, s.X, col, nil))
		}
	}
	var all []float64
	for _, s := range pn.Series {
		all = append(all, s.X...)
	}
	for k, fit := range pn.Fits {
		f := fitCurve(fit, all, color.Black, dashes[k%len(dashes)])
		p.Add(f)
		p.Legend.Add(fmt.Sprintf("%s fit", fit.Form), f)
	}
	return p, nil
}

// dashes are the dash patterns of panel-wide fits, in order.
var dashes = [][]vg.Length{
	{vg.Points(5), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// fitCurve returns the fitted scaling law drawn over [0, max x] with the
// given dash pattern (nil for a solid line).
func fitCurve(f scaling.Fit, x []float64, col color.Color, dash []vg.Length) *plotter.Function {
	fn := plotter.NewFunction(f.Predict)
	fn.XMin = 0
	for _, v := range x {
		fn.XMax = math.Max(fn.XMax, v)
	}
	fn.Samples = 200
	fn.LineStyle.Color = col
	fn.LineStyle.Width = vg.Points(1.5)
	fn.LineStyle.Dashes = dash
	return fn
}
