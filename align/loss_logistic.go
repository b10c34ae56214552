package align

import (
	"math"

	"github.com/daalab/daa/autograd"
)

// The logistic family: losses of the form g(β Δ_f) with g built from
// log σ. Δ_f = s_w - s_l is the margin of f-divergence scores (Scores); with
// the default reverse_kl it is Δ = r_w - r_l.

// scoreMargin returns z = β Δ_f = β (s_w - s_l), [B].
func scoreMargin(b *Batch, cfg Config) (*autograd.Value, error) {
	sw, sl, err := Scores(b, cfg)
	if err != nil {
		return nil, err
	}
	return autograd.Scale(autograd.Sub(sw, sl), cfg.Beta), nil
}

// Sigmoid is DPO (Rafailov et al. 2023, eq. 7), TRL v1.9.0
// loss_type="sigmoid":
//
//	ℓ = -log σ(β Δ_f)
//
// TRL v1.x has no label smoothing here; ε-smoothed DPO is CDPO.
func Sigmoid(b *Batch, cfg Config) (*Output, error) {
	z, err := scoreMargin(b, cfg) // β Δ_f
	if err != nil {
		return nil, err
	}
	return NewPairOutput(b, cfg.Beta, LabelSmoothedLogistic(z, 0)), nil
}

// CDPO is conservative DPO, DPO with label smoothing ε: TRL v0.28.0
// loss_type="sigmoid" with label_smoothing, eric-mitchell
// preference_loss, OpenRLHF DPOLoss:
//
//	ℓ = -(1-ε) log σ(β Δ) - ε log σ(-β Δ)
//
// It uses the raw margin Δ (no f-divergence); ε = 0 gives DPO.
func CDPO(b *Batch, cfg Config) (*Output, error) {
	z := autograd.Scale(Margin(b), cfg.Beta) // β Δ
	return NewPairOutput(b, cfg.Beta, LabelSmoothedLogistic(z, cfg.LabelSmoothing)), nil
}

// Robust is Robust DPO (Chowdhury et al. 2024), TRL v1.9.0
// loss_type="robust", for 0 <= ε < 0.5:
//
//	ℓ = [-(1-ε) log σ(z) + ε log σ(-z)] / (1 - 2ε),  z = β Δ_f
func Robust(b *Batch, cfg Config) (*Output, error) {
	eps := cfg.LabelSmoothing
	z, err := scoreMargin(b, cfg) // β Δ_f
	if err != nil {
		return nil, err
	}
	pos := autograd.Scale(autograd.LogSigmoid(z), -(1 - eps))        // -(1-ε) log σ(z)
	neg := autograd.Scale(autograd.LogSigmoid(autograd.Neg(z)), eps) // +ε log σ(-z)
	perPair := autograd.Scale(autograd.Add(pos, neg), 1/(1-2*eps))   // / (1-2ε)
	return NewPairOutput(b, cfg.Beta, perPair), nil
}

// ExoPair is EXO (Ji et al. 2024, eq. 16), TRL v1.9.0 loss_type="exo_pair",
// for 0 < ε < 1 (TRL recommends 1e-3):
//
//	ℓ = σ(z) (log σ(z) - log(1-ε)) + σ(-z) (log σ(-z) - log ε),  z = β Δ_f
//
// the KL divergence from the smoothed labels (1-ε, ε) to (σ(z), σ(-z)).
func ExoPair(b *Batch, cfg Config) (*Output, error) {
	eps := cfg.LabelSmoothing
	z, err := scoreMargin(b, cfg) // β Δ_f
	if err != nil {
		return nil, err
	}
	nz := autograd.Neg(z)
	logPw := math.Log1p(-eps)                                                                       // log(1-ε)
	logPl := math.Log(eps)                                                                          // log ε
	win := autograd.Mul(autograd.Sigmoid(z), autograd.AddScalar(autograd.LogSigmoid(z), -logPw))    // σ(z)(log σ(z) - log(1-ε))
	lose := autograd.Mul(autograd.Sigmoid(nz), autograd.AddScalar(autograd.LogSigmoid(nz), -logPl)) // σ(-z)(log σ(-z) - log ε)
	return NewPairOutput(b, cfg.Beta, autograd.Add(win, lose)), nil
}

// DiscoPOP is the log-ratio modulated loss of DiscoPOP / LRML (Chris Lu et
// al. 2024, eq. 5), TRL v1.9.0 loss_type="discopop" with τ = discopop_tau:
//
//	ℓ = (1-m) (-log σ(z)) + m exp(-z),  z = β Δ_f,  m = σ(z/τ)
//
// m exp(-z) is computed as exp(log σ(z/τ) - z) and 1-m as σ(-z/τ), so ℓ is
// finite at any z (σ(z/τ) exp(-z) would be 0·Inf for z < -709).
func DiscoPOP(b *Batch, cfg Config) (*Output, error) {
	z, err := scoreMargin(b, cfg) // β Δ_f
	if err != nil {
		return nil, err
	}
	zt := autograd.Scale(z, 1/cfg.Tau)                                                                 // z/τ
	logistic := autograd.Mul(autograd.Neg(autograd.LogSigmoid(z)), autograd.Sigmoid(autograd.Neg(zt))) // (1-m)(-log σ(z))
	exponential := autograd.Exp(autograd.Sub(autograd.LogSigmoid(zt), z))                              // m exp(-z)
	return NewPairOutput(b, cfg.Beta, autograd.Add(logistic, exponential)), nil
}

// SigmoidNorm is length-normalised DPO (Tülu 3), TRL v1.9.0
// loss_type="sigmoid_norm" (added in v1.4):
//
//	ℓ = -log σ(β (s_w/n_w - s_l/n_l))
//
// with the full token counts n (also under LD-DPO), clamped to >= 1.
func SigmoidNorm(b *Batch, cfg Config) (*Output, error) {
	sw, sl, err := Scores(b, cfg)
	if err != nil {
		return nil, err
	}
	d := autograd.Sub(PerToken(sw, b.ChosenLengths), PerToken(sl, b.RejectedLengths)) // s_w/n_w - s_l/n_l
	return NewPairOutput(b, cfg.Beta, LabelSmoothedLogistic(autograd.Scale(d, cfg.Beta), 0)), nil
}

// RDPO is length-regularised DPO, R-DPO (Park et al. 2024, arXiv
// 2403.19159), from the RL reward r - α|y|:
//
//	ℓ = -log σ(β Δ + α (n_w - n_l)),  α = cfg.Alpha
//
// α = 0 gives DPO.
func RDPO(b *Batch, cfg Config) (*Output, error) {
	n := b.pairs("RDPO")
	dn := make([]float64, n)
	for i := range dn {
		dn[i] = cfg.Alpha * float64(b.ChosenLengths[i]-b.RejectedLengths[i]) // α (n_w - n_l)
	}
	z := autograd.Add(autograd.Scale(Margin(b), cfg.Beta), constLike(b.PolicyChosen, dn))
	return NewPairOutput(b, cfg.Beta, LabelSmoothedLogistic(z, 0)), nil
}
