package scaling

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/daalab/daa/eval"
)

// BootstrapOptions configures the bootstrap.
type BootstrapOptions struct {
	Resamples int     // number of resamples; values below 1 mean 1000
	Seed      uint64  // seeds the PCG that draws the resamples
	Level     float64 // coverage of the intervals, in (0, 1); 0 means 0.95
}

// Interval is a percentile bootstrap interval [Lo, Hi].
type Interval struct {
	Lo, Hi float64
}

// FitCI holds bootstrap intervals for a fit's parameters and peak.
type FitCI struct {
	Alpha, Beta, Intercept Interval
	// PeakD and PeakWinRate are over the resamples whose fit has a peak;
	// PeakShare is the share of fitted resamples that have one.
	PeakD, PeakWinRate Interval
	PeakShare          float64
	Resamples          int // resamples fitted
	Failed             int // resamples that could not be fitted (too few distinct d), left out
}

// RMSEDiff compares two forms on the same points.
type RMSEDiff struct {
	Diff      float64  // RMSE(A) - RMSE(B) on all points: negative means A fits better
	CI        Interval // bootstrap interval of the difference, both forms refitted on each resample
	Resamples int
	Failed    int
}

// resampler draws bootstrap resamples of n points.
type resampler struct {
	rng   *rand.Rand
	level float64
	count int
	d     []float64
	win   []float64
}

func newResampler(opt BootstrapOptions, d, win []float64) *resampler {
	r := &resampler{rng: rand.New(rand.NewPCG(opt.Seed, 0x6a09e667f3bcc909)), level: opt.Level, count: opt.Resamples, d: d, win: win}
	if r.count < 1 {
		r.count = 1000
	}
	if r.level == 0 {
		r.level = 0.95
	}
	if !(r.level > 0 && r.level < 1) {
		panic(fmt.Sprintf("scaling: bootstrap level %v outside (0, 1)", opt.Level))
	}
	return r
}

// next returns a resample of the points drawn with replacement.
func (r *resampler) next() (d, win []float64) {
	n := len(r.d)
	d, win = make([]float64, n), make([]float64, n)
	for i := range n {
		k := r.rng.IntN(n)
		d[i], win[i] = r.d[k], r.win[k]
	}
	return d, win
}

// interval returns the percentile interval of values at r's level (values
// are sorted in place); NaNs when values is empty.
func (r *resampler) interval(values []float64) Interval {
	if len(values) == 0 {
		return Interval{Lo: math.NaN(), Hi: math.NaN()}
	}
	slices.Sort(values)
	return Interval{Lo: eval.Quantile(values, (1-r.level)/2), Hi: eval.Quantile(values, (1+r.level)/2)}
}

// checkFailures returns an error when more than half of the resamples failed.
func checkFailures(failed, total int, firstErr error) error {
	if 2*failed > total {
		return fmt.Errorf("scaling: bootstrap: %d of %d resamples could not be fitted; first: %w", failed, total, firstErr)
	}
	return nil
}

// BootstrapFit returns percentile intervals for the parameters and peak of
// FitForm(form, d, win, withIntercept). It returns the error of the fit on
// all points, if any, or an error when more than half of the resamples
// cannot be fitted. It panics as FitForm does, or if opt.Level is outside
// (0, 1).
func BootstrapFit(form Form, d, win []float64, withIntercept bool, opt BootstrapOptions) (FitCI, error) {
	if _, err := FitForm(form, d, win, withIntercept); err != nil {
		return FitCI{}, err
	}
	r := newResampler(opt, d, win)
	var alpha, beta, c, peakD, peakR []float64
	var ci FitCI
	var firstErr error
	for range r.count {
		rd, rw := r.next()
		f, err := FitForm(form, rd, rw, withIntercept)
		if err != nil {
			if ci.Failed == 0 {
				firstErr = err
			}
			ci.Failed++
			continue
		}
		alpha, beta, c = append(alpha, f.Alpha), append(beta, f.Beta), append(c, f.Intercept)
		if f.HasPeak {
			peakD, peakR = append(peakD, f.PeakD), append(peakR, f.PeakWinRate)
		}
	}
	if err := checkFailures(ci.Failed, r.count, firstErr); err != nil {
		return FitCI{}, err
	}
	ci.Resamples = len(alpha)
	ci.Alpha, ci.Beta, ci.Intercept = r.interval(alpha), r.interval(beta), r.interval(c)
	ci.PeakD, ci.PeakWinRate = r.interval(peakD), r.interval(peakR)
	ci.PeakShare = float64(len(peakD)) / float64(len(alpha))
	return ci, nil
}

// BootstrapRMSEDiff compares forms a and b (both with or both without an
// intercept) by RMSE(a) - RMSE(b): on all points, and as a percentile
// interval over resamples on which both forms are refitted. An interval
// that contains 0 means the points do not separate the forms. It returns the
// error of either fit on all points, or an error when more than half of the
// resamples cannot be fitted. It panics as BootstrapFit does.
func BootstrapRMSEDiff(a, b Form, d, win []float64, withIntercept bool, opt BootstrapOptions) (RMSEDiff, error) {
	fa, err := FitForm(a, d, win, withIntercept)
	if err != nil {
		return RMSEDiff{}, err
	}
	fb, err := FitForm(b, d, win, withIntercept)
	if err != nil {
		return RMSEDiff{}, err
	}
	out := RMSEDiff{Diff: fa.RMSE - fb.RMSE}
	r := newResampler(opt, d, win)
	var diffs []float64
	var firstErr error
	for range r.count {
		rd, rw := r.next()
		fa, errA := FitForm(a, rd, rw, withIntercept)
		fb, errB := FitForm(b, rd, rw, withIntercept)
		if err := errors.Join(errA, errB); err != nil {
			if out.Failed == 0 {
				firstErr = err
			}
			out.Failed++
			continue
		}
		diffs = append(diffs, fa.RMSE-fb.RMSE)
	}
	if err := checkFailures(out.Failed, r.count, firstErr); err != nil {
		return RMSEDiff{}, err
	}
	out.Resamples = len(diffs)
	out.CI = r.interval(diffs)
	return out, nil
}
