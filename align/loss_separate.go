package align

import (
	"github.com/daalab/daa/autograd"
)

// Losses that score the chosen and rejected completions separately rather
// than through their margin.

// NCAPair is NCA (Chen et al. 2024), TRL v1.9.0 loss_type="nca_pair":
//
//	ℓ = -log σ(β s_w) - ½ log σ(-β s_w) - ½ log σ(-β s_l)
func NCAPair(b *Batch, cfg Config) (*Output, error) {
	sw, sl, err := Scores(b, cfg)
	if err != nil {
		return nil, err
	}
	cw, cl := autograd.Scale(sw, cfg.Beta), autograd.Scale(sl, cfg.Beta)
	t1 := autograd.Neg(autograd.LogSigmoid(cw))                       // -log σ(β s_w)
	t2 := autograd.Scale(autograd.LogSigmoid(autograd.Neg(cw)), -0.5) // -½ log σ(-β s_w)
	t3 := autograd.Scale(autograd.LogSigmoid(autograd.Neg(cl)), -0.5) // -½ log σ(-β s_l)
	return NewPairOutput(b, cfg.Beta, autograd.Add(autograd.Add(t1, t2), t3)), nil
}

// BCOPair is BCO (Jung et al. 2024), TRL v1.9.0 loss_type="bco_pair",
// without the running-mean shift δ (v1.9 has none):
//
//	ℓ = -log σ(β s_w) - log σ(-β s_l)
func BCOPair(b *Batch, cfg Config) (*Output, error) {
	sw, sl, err := Scores(b, cfg)
	if err != nil {
		return nil, err
	}
	win := autograd.LogSigmoid(autograd.Scale(sw, cfg.Beta))   // log σ(β s_w)
	lose := autograd.LogSigmoid(autograd.Scale(sl, -cfg.Beta)) // log σ(-β s_l)
	return NewPairOutput(b, cfg.Beta, autograd.Neg(autograd.Add(win, lose))), nil
}

// APOZero is APO-zero (D'Oosterlinck et al. 2024, eq. 7), TRL v1.9.0
// loss_type="apo_zero", on the raw log-ratios (no f-divergence):
//
//	ℓ = (1 - σ(β r_w)) + σ(β r_l),
//
// with 1 - σ(x) computed as σ(-x).
func APOZero(b *Batch, cfg Config) (*Output, error) {
	rw, rl := LogRatios(b)
	win := autograd.Sigmoid(autograd.Scale(rw, -cfg.Beta)) // 1 - σ(β r_w)
	lose := autograd.Sigmoid(autograd.Scale(rl, cfg.Beta)) // σ(β r_l)
	return NewPairOutput(b, cfg.Beta, autograd.Add(win, lose)), nil
}

// APODown is APO-down (D'Oosterlinck et al. 2024, eq. 8), TRL v1.9.0
// loss_type="apo_down", with the raw r_w in its first term:
//
//	ℓ = σ(β r_w) + (1 - σ(β Δ_f))
func APODown(b *Batch, cfg Config) (*Output, error) {
	rw, _ := LogRatios(b)
	z, err := scoreMargin(b, cfg) // β Δ_f
	if err != nil {
		return nil, err
	}
	down := autograd.Sigmoid(autograd.Scale(rw, cfg.Beta)) // σ(β r_w)
	margin := autograd.Sigmoid(autograd.Neg(z))            // 1 - σ(β Δ_f)
	return NewPairOutput(b, cfg.Beta, autograd.Add(down, margin)), nil
}
