package scaling

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBootstrapFit: the 95% intervals from 500 resamples of RL data with 1%
// noise contain the true alpha and beta, and the same seed repeats them.
func TestBootstrapFit(t *testing.T) {
	tr := truth{RL, 0.5, 0.2, 0.4, 8}
	d, win := synthetic(tr, 40, 0.01, 4)
	opt := BootstrapOptions{Resamples: 500, Seed: 1}
	ci, err := BootstrapFit(RL, d, win, true, opt)
	require.NoError(t, err)
	assert.True(t, ci.Alpha.Lo < tr.alpha && tr.alpha < ci.Alpha.Hi, "alpha interval %v misses the truth %v", ci.Alpha, tr.alpha)
	assert.True(t, ci.Beta.Lo < tr.beta && tr.beta < ci.Beta.Hi, "beta interval %v misses the truth %v", ci.Beta, tr.beta)
	assert.Equal(t, 500, ci.Resamples, "resamples")
	assert.Zero(t, ci.Failed, "failed resamples")
	assert.Equal(t, 1.0, ci.PeakShare, "peak share")
	again, _ := BootstrapFit(RL, d, win, true, opt)
	assert.Equal(t, ci, again, "same seed, different intervals")
}

// TestBootstrapRMSEDiff: on RL data the interval of RMSE(RL) - RMSE(BoN) lies
// below 0; on BoN data the same difference lies above 0.
func TestBootstrapRMSEDiff(t *testing.T) {
	for _, tr := range []truth{{RL, 0.5, 0.2, 0.4, 8}, {BoN, 0.3, 0.06, 0.4, 6}} {
		d, win := synthetic(tr, 40, 0.01, 5)
		diff, err := BootstrapRMSEDiff(RL, BoN, d, win, true, BootstrapOptions{Resamples: 300, Seed: 2})
		require.NoError(t, err)
		if tr.form == RL {
			assert.True(t, diff.CI.Hi < 0 && diff.Diff < 0, "RL data: RMSE(RL) - RMSE(BoN) = %v, interval %v, want below 0", diff.Diff, diff.CI)
		} else {
			assert.True(t, diff.CI.Lo > 0 && diff.Diff > 0, "BoN data: RMSE(RL) - RMSE(BoN) = %v, interval %v, want above 0", diff.Diff, diff.CI)
		}
	}
}

func TestBootstrapTooFewPoints(t *testing.T) {
	// Three distinct d for three parameters: most resamples repeat a point
	// and cannot be fitted.
	_, err := BootstrapFit(BoN, []float64{1, 2, 3}, []float64{1, 2, 1}, true, BootstrapOptions{Resamples: 50})
	assert.Error(t, err, "most resamples cannot be fitted")
}

// TestIntervalJSON: a FitCI whose peak interval is empty (NaN) encodes with
// null bounds and decodes back to NaN; finite bounds round-trip exactly.
func TestIntervalJSON(t *testing.T) {
	ci := FitCI{Alpha: Interval{0.1, 0.3}, PeakD: Interval{math.NaN(), math.NaN()}}
	data, err := json.Marshal(ci)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"PeakD":{"Lo":null,"Hi":null}`)
	assert.Contains(t, string(data), `"Alpha":{"Lo":0.1,"Hi":0.3}`)
	var back FitCI
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, ci.Alpha, back.Alpha, "decoded Alpha")
	assert.True(t, math.IsNaN(back.PeakD.Lo) && math.IsNaN(back.PeakD.Hi), "decoded PeakD %v, want NaN bounds", back.PeakD)
}
