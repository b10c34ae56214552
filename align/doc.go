// Package align implements the losses of direct alignment algorithms (DAAs):
// DPO and its variants, on top of package autograd.
//
// # Inputs
//
// A loss consumes a Batch of sequence log-probs, one value [B] per field:
// the summed completion log-probs S(y) of the chosen (y_w) and rejected
// (y_l) completions under the policy, the same R(y) under the reference
// model, and the completion lengths n = |y|. Per-token log-probs from a
// model ([B, T] with a mask, TokenLogProbs) become a Batch through
// SequenceBatch, which also applies LD-DPO's length desensitisation. The
// policy values carry the gradient back to the model; reference values are
// detached, and nil references mean reference-free (R = 0).
//
// # Losses
//
// Every loss is a SequenceFunc returning an Output: the batch loss (a scalar
// value to call Backward on), the per-pair losses, TRL's metrics
// (rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins,
// logps/chosen, logps/rejected, ...) and, for composite losses, the mean of
// each component. With r = S - R, Δ = r_w - r_l and the f-divergence scores
// s = f(r), Δ_f = s_w - s_l (FDivergenceScore):
//
//	sigmoid        -log σ(βΔ_f)                                    DPO; TRL v1.9.0
//	hinge          max(0, 1 - βΔ_f)                                SLiC-HF / RSO
//	ipo            (s_w/n_w - s_l/n_l - 1/(2β))^2                  IPO, TRL (token-averaged)
//	exo_pair       KL((1-ε, ε) || (σ(βΔ_f), σ(-βΔ_f)))             EXO
//	nca_pair       -log σ(βs_w) - ½log σ(-βs_w) - ½log σ(-βs_l)    NCA
//	robust         [-(1-ε)log σ(z) + ε log σ(-z)]/(1-2ε)           Robust DPO
//	bco_pair       -log σ(βs_w) - log σ(-βs_l)                     BCO (no δ shift)
//	sppo_hard      (s_w - 0.5/β)^2 + (s_l + 0.5/β)^2               SPPO
//	aot            logistic on sort(S_w-S_l) - sort(R_w-R_l)       AOT paired
//	aot_unpaired   logistic on sort(r_w) - sort(r_l)               AOT unpaired
//	apo_zero       (1 - σ(βr_w)) + σ(βr_l)                         APO-zero
//	apo_down       σ(βr_w) + (1 - σ(βΔ_f))                         APO-down
//	discopop       (1-m)(-log σ(z)) + m e^{-z}, m = σ(z/τ)         DiscoPOP
//	sigmoid_norm   -log σ(β(s_w/n_w - s_l/n_l))                    Tülu 3
//	nll, sft       -Σ S_w / Σ n_w (or -mean S_w/n_w)               SFT term
//	multi          Σ_k w_k mean_i ℓ_k,i                            TRL multi-loss (MPO, RPO)
//	cdpo           -(1-ε)log σ(βΔ) - ε log σ(-βΔ)                  cDPO; TRL v0.28 sigmoid
//	ipo_sum        (Δ - 1/(2β))^2                                  IPO, eric-mitchell / OpenRLHF
//	ipo_paper      (βΔ - 1)^2                                      IPO, Rafailov et al. 2024
//	rdpo           -log σ(βΔ + α(n_w - n_l))                       R-DPO
//	simpo          logistic on β(A_w - A_l) - γ, + cpo_alpha·NLL   SimPO / CPO-SimPO (no reference)
//	orpo           NLL - β log σ(log odds ratio)                   ORPO (no reference)
//	kto            λ(1 - σ(±β(r - z_ref)))                         KTO (unpaired)
//	apo_zero_unpaired                                              APO-zero (unpaired)
//
// The registry (Lookup, New, NewFromConfig, Register) finds losses by these
// names, configured by a Config whose JSON keys and defaults follow TRL;
// ParseLossSpec reads weighted sums such as "sigmoid:0.8,bco_pair:0.2,sft:1"
// and Config.AddFlags exposes everything as command-line flags.
//
// The formulas, conventions and metrics are those of the DAA loss test
// vectors (../shared/reference/daa_losses.md); package align/aligntest
// checks any loss against such a vector file, and this package passes all
// 239 reference cases at rtol 1e-9 in float64.
//
// # Numerics
//
// Losses compute in the dtype of their inputs: float64 inputs give
// reference-grade values, float32 inputs (a model's log-probs) float32 ones.
// log σ is computed through softplus, 1 - σ(x) as σ(-x), log(1 - e^x) with
// autograd.Log1mExp, and the alpha-divergence exponent is clamped at 80, so
// the losses are finite at any margin (|Δ| = 1e4 is tested). Bad data is an
// error naming its field and index: a NaN or infinite log-prob, an empty
// completion, a per-pair loss that overflowed.
//
// # Beyond losses
//
// WPOWeights computes Weighted Preference Optimization's per-pair weights
// and SyncReference the TR-DPO reference-model update. Package align/data
// reads preference data sets and collates them into padded token batches.
package align
