package scaling

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestBootstrapFit: the 95% intervals from 500 resamples of RL data with 1%
// noise contain the true alpha and beta, and the same seed repeats them.
func TestBootstrapFit(t *testing.T) {
	tr := truth{RL, 0.5, 0.2, 0.4, 8}
	d, win := synthetic(tr, 40, 0.01, 4)
	opt := BootstrapOptions{Resamples: 500, Seed: 1}
	ci, err := BootstrapFit(RL, d, win, true, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(ci.Alpha.Lo < tr.alpha && tr.alpha < ci.Alpha.Hi) || !(ci.Beta.Lo < tr.beta && tr.beta < ci.Beta.Hi) {
		t.Errorf("intervals alpha %v beta %v miss the truth %v %v", ci.Alpha, ci.Beta, tr.alpha, tr.beta)
	}
	if ci.Resamples != 500 || ci.Failed != 0 || ci.PeakShare != 1 {
		t.Errorf("resamples %d failed %d peak share %v", ci.Resamples, ci.Failed, ci.PeakShare)
	}
	again, _ := BootstrapFit(RL, d, win, true, opt)
	if again != ci {
		t.Errorf("same seed, different intervals: %+v vs %+v", again, ci)
	}
}

// TestBootstrapRMSEDiff: on RL data the interval of RMSE(RL) - RMSE(BoN) lies
// below 0; on BoN data the same difference lies above 0.
func TestBootstrapRMSEDiff(t *testing.T) {
	for _, tr := range []truth{{RL, 0.5, 0.2, 0.4, 8}, {BoN, 0.3, 0.06, 0.4, 6}} {
		d, win := synthetic(tr, 40, 0.01, 5)
		diff, err := BootstrapRMSEDiff(RL, BoN, d, win, true, BootstrapOptions{Resamples: 300, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		rlBetter := diff.CI.Hi < 0 && diff.Diff < 0
		bonBetter := diff.CI.Lo > 0 && diff.Diff > 0
		if (tr.form == RL && !rlBetter) || (tr.form == BoN && !bonBetter) {
			t.Errorf("%s data: RMSE(RL) - RMSE(BoN) = %v, interval %v", tr.form, diff.Diff, diff.CI)
		}
	}
}

func TestBootstrapTooFewPoints(t *testing.T) {
	// Three distinct d for three parameters: most resamples repeat a point
	// and cannot be fitted.
	if _, err := BootstrapFit(BoN, []float64{1, 2, 3}, []float64{1, 2, 1}, true, BootstrapOptions{Resamples: 50}); err == nil {
		t.Error("no error when most resamples cannot be fitted")
	}
}

// TestIntervalJSON: a FitCI whose peak interval is empty (NaN) encodes with
// null bounds and decodes back to NaN; finite bounds round-trip exactly.
func TestIntervalJSON(t *testing.T) {
	ci := FitCI{Alpha: Interval{0.1, 0.3}, PeakD: Interval{math.NaN(), math.NaN()}}
	data, err := json.Marshal(ci)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"PeakD":{"Lo":null,"Hi":null}`) || !strings.Contains(string(data), `"Alpha":{"Lo":0.1,"Hi":0.3}`) {
		t.Errorf("encoded %s", data)
	}
	var back FitCI
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Alpha != ci.Alpha || !math.IsNaN(back.PeakD.Lo) || !math.IsNaN(back.PeakD.Hi) {
		t.Errorf("decoded %+v", back)
	}
}
