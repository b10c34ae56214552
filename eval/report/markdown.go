package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/daalab/daa/eval/scaling"
)

// Report is the content of a Markdown report.
type Report struct {
	Title   string
	Summary string // Markdown placed under the title
	Figures []Figure
	Fits    []NamedFit // rendered as one table
	Tables  []Table
}

// Figure is an image embedded in the report.
type Figure struct {
	Path    string // relative to the report's directory, e.g. "winrate_vs_kl.png"
	Caption string
}

// NamedFit is one row of the fit table.
type NamedFit struct {
	Name string // e.g. "DPO" or "DPO β=0.1"
	Fit  scaling.Fit
	CI   *scaling.FitCI // optional bootstrap intervals, shown beside alpha and beta
}

// Table is a free-form table of pre-formatted cells.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Markdown returns the report as Markdown: the title, the summary, the
// figures as images with captions, the fit table (name, form, intercept,
// alpha, beta, c, RMSE, R^2, d*, R(d*)) and the other tables. Pipes and
// newlines in cells are escaped.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Title)
	if r.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(r.Summary))
	}
	for _, f := range r.Figures {
		alt := strings.NewReplacer("[", "(", "]", ")").Replace(cell(f.Caption))
		fmt.Fprintf(&b, "![%s](%s)\n\n", alt, f.Path)
		if f.Caption != "" {
			fmt.Fprintf(&b, "*%s*\n\n", f.Caption)
		}
	}
	if len(r.Fits) > 0 {
		t := Table{Caption: "Scaling-law fits of win rate against d = sqrt(KL). Brackets hold bootstrap percentile intervals where computed; d* is the peak.",
			Header: []string{"name", "form", "intercept", "alpha", "beta", "c", "RMSE", "R²", "d*", "R(d*)"}}
		for _, nf := range r.Fits {
			f := nf.Fit
			alpha, beta := num(f.Alpha), num(f.Beta)
			if nf.CI != nil {
				alpha += fmt.Sprintf(" [%s, %s]", num(nf.CI.Alpha.Lo), num(nf.CI.Alpha.Hi))
				beta += fmt.Sprintf(" [%s, %s]", num(nf.CI.Beta.Lo), num(nf.CI.Beta.Hi))
			}
			c, peakD, peakR := "–", "none", "–"
			if f.WithIntercept {
				c = num(f.Intercept)
			}
			if f.HasPeak {
				peakD, peakR = num(f.PeakD), num(f.PeakWinRate)
			}
			t.Rows = append(t.Rows, []string{nf.Name, string(f.Form), fmt.Sprint(f.WithIntercept), alpha, beta, c, num(f.RMSE), num(f.R2), peakD, peakR})
		}
		writeTable(&b, t)
	}
	for _, t := range r.Tables {
		writeTable(&b, t)
	}
	return b.String()
}

// WriteMarkdown writes r.Markdown() to path atomically.
func WriteMarkdown(path string, r Report) error {
	return writeFileAtomic(path, []byte(r.Markdown()))
}

// writeTable renders t as a Markdown table preceded by its caption.
func writeTable(b *strings.Builder, t Table) {
	if t.Caption != "" {
		fmt.Fprintf(b, "%s\n\n", t.Caption)
	}
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			fmt.Fprintf(b, " %s |", cell(c))
		}
		b.WriteString("\n")
	}
	row(t.Header)
	b.WriteString("|" + strings.Repeat(" --- |", len(t.Header)) + "\n")
	for _, r := range t.Rows {
		row(r)
	}
	b.WriteString("\n")
}

// cell escapes pipes and flattens newlines for a table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

// num formats a number with 4 significant digits.
func num(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return fmt.Sprintf("%.4g", v)
}
