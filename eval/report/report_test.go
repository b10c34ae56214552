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
			if err != nil {
				t.Fatal(err)
			}
			pn.Series = append(pn.Series, Series{Label: fmt.Sprintf("β = %g", beta), X: d, Y: w, YErr: se, Fit: &f})
			allD, allW = append(allD, d...), append(allW, w...)
		}
		f, err := scaling.FitForm(scaling.Quadratic, allD, allW, true)
		if err != nil {
			t.Fatal(err)
		}
		q, err := scaling.FitForm(scaling.RL, allD, allW, true)
		if err != nil {
			t.Fatal(err)
		}
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
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		t.Fatalf("%s is empty", path)
	}
	if strings.HasSuffix(path, ".png") {
		img, format, err := image.Decode(bytes.NewReader(data))
		if err != nil || format != "png" {
			t.Fatalf("%s: decode: %v (format %q)", path, err, format)
		}
		if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
			t.Errorf("%s: %dx%d pixels, want %dx%d", path, b.Dx(), b.Dy(), wantW, wantH)
		}
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
		if err != nil {
			t.Fatalf("%s: invalid XML: %v", path, err)
		}
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
	if root != "svg" || paths < 10 || texts < 5 {
		t.Errorf("%s: root <%s> with %d elements, %d paths, %d texts; want <svg> with a drawing", path, root, elements, paths, texts)
	}
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
			if err := f.write(path); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			checkImage(t, path, px(panelWidth*vg.Length(f.cols)), px(panelHeight*vg.Length(f.rows)))
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestWritePanelsErrors(t *testing.T) {
	dir := t.TempDir()
	ok := []Panel{{Series: []Series{{X: []float64{1}, Y: []float64{2}}}}}
	if err := WritePanels(filepath.Join(dir, "x.pdf"), ok, 1); err == nil || !strings.Contains(err.Error(), "x.pdf") {
		t.Errorf("unsupported extension: error %v", err)
	}
	if err := WritePanels(filepath.Join(dir, "x.png"), nil, 1); err == nil {
		t.Error("no panels: no error")
	}
	nan := []Panel{{Title: "bad", Series: []Series{{Label: "s", X: []float64{1}, Y: []float64{math.NaN()}}}}}
	if err := WritePanels(filepath.Join(dir, "x.png"), nan, 1); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("NaN data: error %v", err)
	}
	if err := WritePanels(filepath.Join(dir, "missing", "x.png"), ok, 1); err == nil {
		t.Error("missing directory: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.png")); !os.IsNotExist(err) {
		t.Error("a failed write left x.png behind")
	}
}

func TestMarkdown(t *testing.T) {
	f, err := scaling.FitForm(scaling.RL, []float64{0, 1, 2, 3, 4}, []float64{0.4, 0.55, 0.6, 0.58, 0.52}, true)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := scaling.BootstrapFit(scaling.RL, []float64{0, 1, 2, 3, 4, 0.5, 1.5}, []float64{0.4, 0.55, 0.6, 0.58, 0.52, 0.5, 0.58}, true, scaling.BootstrapOptions{Resamples: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := Report{
		Title:   "Over-optimization",
		Summary: "DPO over-optimizes at small β.",
		Figures: []Figure{{Path: "winrate.png", Caption: "Win rate vs sqrt(KL) [Figure 1]"}},
		Fits:    []NamedFit{{Name: "DPO|all", Fit: f, CI: &ci}},
		Tables:  []Table{{Caption: "Checkpoints", Header: []string{"step", "KL"}, Rows: [][]string{{"0", "0"}, {"125", "1.55"}}}},
	}
	path := filepath.Join(t.TempDir(), "report.md")
	if err := WriteMarkdown(path, r); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	md := string(data)
	for _, want := range []string{
		"# Over-optimization\n",
		"![Win rate vs sqrt(KL) (Figure 1)](winrate.png)",
		"| name | form | intercept | alpha | beta | c | RMSE | R² | d* | R(d*) |",
		"| DPO\\|all | rl | true | " + num(f.Alpha) + " [",
		"| 125 | 1.55 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
