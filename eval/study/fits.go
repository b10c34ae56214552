package study

import (
	"fmt"
	"strings"

	"github.com/daalab/daa/eval/scaling"
)

// FitResult is the scaling-law comparison for one objective and size.
type FitResult struct {
	Objective string                   `json:"objective"`
	Size      string                   `json:"size"`
	Fits      []scaling.Fit            `json:"fits"`
	RMSEDiff  *scaling.RMSEDiff        `json:"rmse_diff_rl_minus_quadratic,omitempty"`
	CI        map[string]scaling.FitCI `json:"ci,omitempty"`
	Error     string                   `json:"error,omitempty"`
}

// fitScalingLaws fits R(d) = c + d(alpha - beta log d) and the quadratic to
// every checkpoint of an objective and size (all betas and seeds), with
// bootstrap intervals on the parameters and on the RMSE difference.
func fitScalingLaws(o Options, sizes []string, results []RunResult) []FitResult {
	var out []FitResult
	for _, size := range sizes {
		for _, obj := range o.LossesOf(size) {
			var d, win []float64
			for _, r := range results {
				if r.Spec.Objective != obj || r.Spec.Size != size {
					continue
				}
				for _, p := range r.Points {
					d = append(d, p.SqrtKL)
					win = append(win, p.WinRate)
				}
			}
			if len(d) == 0 {
				continue
			}
			fr := FitResult{Objective: obj, Size: size, CI: map[string]scaling.FitCI{}}
			boot := scaling.BootstrapOptions{Resamples: 500, Seed: o.Seed}
			for _, form := range []scaling.Form{scaling.RL, scaling.Quadratic} {
				f, err := scaling.FitForm(form, d, win, true)
				if err != nil {
					fr.Error += fmt.Sprintf("%s: %v; ", form, err)
					continue
				}
				fr.Fits = append(fr.Fits, f)
				if ci, err := scaling.BootstrapFit(form, d, win, true, boot); err == nil {
					fr.CI[string(form)] = ci
				}
			}
			if diff, err := scaling.BootstrapRMSEDiff(scaling.RL, scaling.Quadratic, d, win, true, boot); err == nil {
				fr.RMSEDiff = &diff
			}
			out = append(out, fr)
		}
	}
	return out
}

// fitFinding states how the two forms compare.
func fitFinding(fits []FitResult) Finding {
	f := Finding{Name: "scaling_law_fits", Held: true, Numbers: map[string]Num{},
		Claim: "the RL form R(d) = c + d(alpha - beta log d) and the quadratic are fitted per objective and size and compared by RMSE with a bootstrap interval"}
	var parts []string
	for _, fr := range fits {
		if fr.RMSEDiff == nil {
			parts = append(parts, fmt.Sprintf("%s/%s: no comparison (%s)", fr.Objective, fr.Size, strings.TrimSuffix(fr.Error, "; ")))
			f.Held = false
			continue
		}
		df := fr.RMSEDiff
		verdict := "tied within the interval"
		switch {
		case df.CI.Hi < 0:
			verdict = "RL fits better"
		case df.CI.Lo > 0:
			verdict = "quadratic fits better"
		}
		key := fr.Objective + "_" + fr.Size
		f.Numbers[key+"_rmse_diff"] = Num(df.Diff)
		f.Numbers[key+"_rmse_diff_lo"] = Num(df.CI.Lo)
		f.Numbers[key+"_rmse_diff_hi"] = Num(df.CI.Hi)
		parts = append(parts, fmt.Sprintf("%s/%s: RMSE(RL) - RMSE(quadratic) = %+.4f [%+.4f, %+.4f], %s", fr.Objective, fr.Size, df.Diff, df.CI.Lo, df.CI.Hi, verdict))
	}
	f.Statement = "Fitted: " + strings.Join(parts, "; ") + "."
	return f
}
