package align

import (
	"github.com/daalab/daa/autograd"
)

// Hinge is the SLiC-HF / RSO hinge loss, TRL v1.9.0 loss_type="hinge":
//
//	ℓ = max(0, 1 - β Δ_f)
func Hinge(b *Batch, cfg Config) (*Output, error) {
	z, err := scoreMargin(b, cfg) // β Δ_f
	if err != nil {
		return nil, err
	}
	return NewPairOutput(b, cfg.Beta, autograd.Relu(autograd.AddScalar(autograd.Neg(z), 1))), nil
}

// IPO is TRL v1.9.0 loss_type="ipo": IPO (Azar et al. 2023, eq. 17, τ = β)
// on token-averaged scores,
//
//	ℓ = (s_w/n_w - s_l/n_l - 1/(2β))^2,
//
// n the full token counts clamped to >= 1. eric-mitchell's and OpenRLHF's
// IPO on summed log-probs is IPOSum.
func IPO(b *Batch, cfg Config) (*Output, error) {
	sw, sl, err := Scores(b, cfg)
	if err != nil {
		return nil, err
	}
	d := autograd.Sub(PerToken(sw, b.ChosenLengths), PerToken(sl, b.RejectedLengths)) // s_w/n_w - s_l/n_l
	return NewPairOutput(b, cfg.Beta, autograd.Square(autograd.AddScalar(d, -1/(2*cfg.Beta)))), nil
}

// IPOSum is IPO on summed log-probs, as eric-mitchell's
// preference_loss(ipo=True) and OpenRLHF's DPOLoss:
//
//	ℓ = (Δ - 1/(2β))^2
func IPOSum(b *Batch, cfg Config) (*Output, error) {
	return NewPairOutput(b, cfg.Beta, autograd.Square(autograd.AddScalar(Margin(b), -1/(2*cfg.Beta)))), nil
}

// IPOPaper is IPO as written in Rafailov et al. 2024 (arXiv 2406.02900),
// g(u) = (u - 1)^2 at u = β Δ:
//
//	ℓ = (β Δ - 1)^2,
//
// which equals β^2 · IPOSum at β/2.
func IPOPaper(b *Batch, cfg Config) (*Output, error) {
	u := autograd.Scale(Margin(b), cfg.Beta)
	return NewPairOutput(b, cfg.Beta, autograd.Square(autograd.AddScalar(u, -1))), nil
}

// SPPOHard is SPPO (Wu et al. 2024) with hard labels, TRL v1.9.0
// loss_type="sppo_hard":
//
//	ℓ = (s_w - 0.5/β)^2 + (s_l + 0.5/β)^2
func SPPOHard(b *Batch, cfg Config) (*Output, error) {
	sw, sl, err := Scores(b, cfg)
	if err != nil {
		return nil, err
	}
	win := autograd.Square(autograd.AddScalar(sw, -0.5/cfg.Beta))
	lose := autograd.Square(autograd.AddScalar(sl, 0.5/cfg.Beta))
	return NewPairOutput(b, cfg.Beta, autograd.Add(win, lose)), nil
}
