package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/vg"

	"github.com/daalab/daa/eval/scaling"
)

// fixture returns panels like the flagship's: three objectives, two betas
// each, with per-series and per-panel RL fits.
func fixture(t *testing.T) []Panel {
	var panels []Panel
	for _, obj := range []string{"DPO", "IPO", "SLiC"} {
		pn := Panel{Title: obj}
		var allD, allW []float64
		for k, beta := range []float64{0.03, 0.1} {
			var d, w, se []float64
			for i := range 6 {
				x := 0.4 * float64(i)
				d = append(d, x)
				w = append(w, 0.4+0.2*x-0.05*(1+float64(k))*x*x)
				se = append(se, 0.02)
			}
			f, err := scaling.FitForm(scaling.RL, d, w, true)
			require.NoError(t, err)
			pn.Series = append(pn.Series, Series{Label: fmt.Sprintf("β = %g", beta), X: d, Y: w, YErr: se, Fit: &f})
			allD, allW = append(allD, d...), append(allW, w...)
		}
		f, err := scaling.FitForm(scaling.Quadratic, allD, allW, true)
		require.NoError(t, err)
		q, err := scaling.FitForm(scaling.RL, allD, allW, true)
		require.NoError(t, err)
		pn.Fits = []scaling.Fit{f, q}
		panels = append(panels, pn)
	}
	return panels
}

// checkImage decodes a written figure: a PNG must decode with image.Decode
// to the expected pixel size; an SVG must be well-formed XML with an <svg>
// root and drawing elements.
func checkImage(t *testing.T, path string, wantW, wantH int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, data, path)
	if strings.HasSuffix(path, ".png") {
		img, format, err := image.Decode(bytes.NewReader(data))
		require.NoError(t, err, "%s: decode", path)
		require.Equal(t, "png", format, path)
		assert.Equal(t, wantW, img.Bounds().Dx(), "%s: width in pixels", path)
		assert.Equal(t, wantH, img.Bounds().Dy(), "%s: height in pixels", path)
		return
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root string
	elements, paths, texts := 0, 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "%s: invalid XML", path)
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			elements++
			switch se.Name.Local {
			case "path":
				paths++
			case "text":
				texts++
			}
		}
	}
	assert.Equal(t, "svg", root, "%s: root element", path)
	assert.GreaterOrEqual(t, paths, 10, "%s: <path> elements (of %d)", path, elements)
	assert.GreaterOrEqual(t, texts, 5, "%s: <text> elements (of %d)", path, elements)
}

// TestFigures writes every figure as PNG and SVG and checks the files.
func TestFigures(t *testing.T) {
	dir := t.TempDir()
	runs := []Run{
		{Label: "DPO β=0.03", Progress: []float64{0, 0.25, 0.5, 0.75, 1}, KL: []float64{0, 1.5, 3, 5, 7.4}, WinRate: []float64{0.4, 0.57, 0.55, 0.5, 0.47}, WinRateSE: []float64{0.02, 0.02, 0.02, 0.02, 0.02}},
		{Label: "DPO β=1", Progress: []float64{0, 0.5, 1}, KL: []float64{0, 0.4, 0.7}, WinRate: []float64{0.4, 0.55, 0.59}},
	}
	lengths := []Series{{Label: "DPO", X: []float64{0, 1.5, 7.4}, Y: []float64{1.7, 2.5, 3.3}, Line: true}}
	acc := []Series{{Label: "DPO", X: []float64{0.5, 0.57, 0.47}, Y: []float64{0.7, 0.75, 0.81}}}
	px := func(l vg.Length) int { return int(math.Round(l.Dots(pngDPI))) }
	for _, ext := range []string{".png", ".svg"} {
		figs := []struct {
			name       string
			write      func(path string) error
			cols, rows int
		}{
			{"winrate", func(p string) error { return WinRateVsSqrtKL(p, fixture(t)) }, 3, 1},
			{"training", func(p string) error { return TrainingCurves(p, runs) }, 2, 1},
			{"length", func(p string) error { return LengthVsKL(p, lengths) }, 1, 1},
			{"accuracy", func(p string) error { return AccuracyVsWinRate(p, acc) }, 1, 1},
		}
		for _, f := range figs {
			path := filepath.Join(dir, f.name+ext)
			require.NoError(t, f.write(path), path)
			// Every figure here has a legend: a strip beside each panel.
			checkImage(t, path, px((panelWidth+legendWidth)*vg.Length(f.cols)), px(panelHeight*vg.Length(f.rows)))
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	assert.Empty(t, leftovers, "temporary files left behind")
}

// TestFitPiecesInsideAxes: R(d) = d - 0.5 d^2 (BoN, alpha 1, beta 0.5)
// drawn over d in [0, 4] with the data's y range [0, 0.5] keeps only
// d in [0, 2], where 0 <= R <= 0.5 (R(2) = 0, R(4) = -4 is off the axes).
func TestFitPiecesInsideAxes(t *testing.T) {
	f := scaling.Fit{Form: scaling.BoN, Alpha: 1, Beta: 0.5}
	pieces := fitPieces(f, []float64{0, 1, 4}, 0, 0.5)
	require.Len(t, pieces, 1)
	xs, ys := pieces[0][0], pieces[0][1]
	assert.Equal(t, 0.0, xs[0])
	assert.InDelta(t, 2, xs[len(xs)-1], 1e-3, "the curve ends where it leaves the axes")
	for i, y := range ys {
		assert.True(t, y >= 0 && y <= 0.5, "point %d (%v, %v) outside [0, 0.5]", i, xs[i], y)
	}
	assert.Empty(t, fitPieces(f, []float64{1, 1}, 0, 0.5), "one x value: no curve")
}

// TestPanelAxesFromData: adding fits that run far off the data (a BoN fit
// through the origin, data near 0.5) leaves the axes where the data put
// them, and the legend is separate from the axes.
func TestPanelAxesFromData(t *testing.T) {
	data := Series{Label: "β = 0.1", X: []float64{0, 1, 2, 3}, Y: []float64{0.5, 0.6, 0.55, 0.45}}
	bare, legend, err := drawPanel(Panel{Series: []Series{data}})
	require.NoError(t, err)
	require.NotNil(t, legend)
	off := scaling.Fit{Form: scaling.BoN, Alpha: 1, Beta: 0.5} // R(3) = -1.5
	withFits, _, err := drawPanel(Panel{Series: []Series{{Label: data.Label, X: data.X, Y: data.Y, Fit: &off}}, Fits: []scaling.Fit{off}})
	require.NoError(t, err)
	assert.Equal(t, bare.Y.Min, withFits.Y.Min)
	assert.Equal(t, bare.Y.Max, withFits.Y.Max)
	assert.Equal(t, bare.X.Min, withFits.X.Min)
	assert.Equal(t, bare.X.Max, withFits.X.Max)
	assert.Equal(t, 0.45, withFits.Y.Min)
	assert.Equal(t, 0.6, withFits.Y.Max)

	_, legend, err = drawPanel(Panel{Series: []Series{{X: data.X, Y: data.Y}}})
	require.NoError(t, err)
	assert.Nil(t, legend, "no labelled entry: no legend")
}

func TestWritePanelsErrors(t *testing.T) {
	dir := t.TempDir()
	ok := []Panel{{Series: []Series{{X: []float64{1}, Y: []float64{2}}}}}
	assert.ErrorContains(t, WritePanels(filepath.Join(dir, "x.pdf"), ok, 1), "x.pdf", "unsupported extension")
	assert.Error(t, WritePanels(filepath.Join(dir, "x.png"), nil, 1), "no panels")
	nan := []Panel{{Title: "bad", Series: []Series{{Label: "s", X: []float64{1}, Y: []float64{math.NaN()}}}}}
	assert.ErrorContains(t, WritePanels(filepath.Join(dir, "x.png"), nan, 1), "bad", "NaN data")
	assert.Error(t, WritePanels(filepath.Join(dir, "missing", "x.png"), ok, 1), "missing directory")
	assert.NoFileExists(t, filepath.Join(dir, "x.png"), "a failed write left x.png behind")
}

func TestMarkdown(t *testing.T) {
	f, err := scaling.FitForm(scaling.RL, []float64{0, 1, 2, 3, 4}, []float64{0.4, 0.55, 0.6, 0.58, 0.52}, true)
	require.NoError(t, err)
	ci, err := scaling.BootstrapFit(scaling.RL, []float64{0, 1, 2, 3, 4, 0.5, 1.5}, []float64{0.4, 0.55, 0.6, 0.58, 0.52, 0.5, 0.58}, true, scaling.BootstrapOptions{Resamples: 50, Seed: 1})
	require.NoError(t, err)
	r := Report{
		Title:   "Over-optimization",
		Summary: "DPO over-optimizes at small β.",
		Figures: []Figure{{Path: "winrate.png", Caption: "Win rate vs sqrt(KL) [Figure 1]"}},
		Fits:    []NamedFit{{Name: "DPO|all", Fit: f, CI: &ci}},
		Tables:  []Table{{Caption: "Checkpoints", Header: []string{"step", "KL"}, Rows: [][]string{{"0", "0"}, {"125", "1.55"}}}},
	}
	path := filepath.Join(t.TempDir(), "report.md")
	require.NoError(t, WriteMarkdown(path, r))
	data, _ := os.ReadFile(path)
	md := string(data)
	for _, want := range []string{
		"# Over-optimization\n",
		"![Win rate vs sqrt(KL) (Figure 1)](winrate.png)",
		"| name | form | intercept | alpha | beta | c | RMSE | R² | d* | R(d*) |",
		"| DPO\\|all | rl | true | " + num(f.Alpha) + " [",
		"| 125 | 1.55 |",
	} {
		assert.Contains(t, md, want)
	}
}
