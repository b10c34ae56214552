// Package eval measures what the over-optimization study plots: the KL
// divergence of a policy from its reference, win rates against references,
// and diagnostics of length exploitation and implicit-reward accuracy.
//
// It works on plain Go data (per-token log-probabilities as []float64, gold
// rewards as [][]float64, lengths as []int) so that it depends on no model
// package. Its subpackages hold the rest of the evaluation:
//
//   - eval/judge: pairwise judges (a gold reward function, an LLM behind an
//     OpenAI-compatible chat-completions endpoint), a verdict cache and a
//     win-rate runner with seeded position flipping.
//   - eval/scaling: scaling-law fits of win rate against d = sqrt(KL)
//     (Gao et al. 2022 RL and best-of-n forms, a quadratic baseline) with
//     bootstrap confidence intervals.
//   - eval/report: figures (PNG or SVG) and a Markdown report.
//
// # KL estimators
//
// For a response y = (y_1..y_T) sampled from the sampling model p, with other
// model q and per-token ratio r_t = q(y_t|y_<t) / p(y_t|y_<t), the sequence
// estimates of KL(p||q) = E_{y~p}[log p(y) - log q(y)] are (Schulman 2020,
// "Approximating KL divergence"):
//
//	k1 = sum_t -log r_t              unbiased
//	k2 = sum_t 0.5 (log r_t)^2       biased, low variance when p ~ q
//	k3 = sum_t (r_t - 1 - log r_t)   unbiased, every term >= 0
//
// k3 is unbiased for the sequence KL because E_{y_t~p}[r_t | y_<t] = 1 at
// every step. Reverse KL KL(pi||pi_ref) uses samples of the policy; forward KL
// KL(pi_ref||pi) uses samples of the reference with the roles swapped.
//
// # Standard errors
//
// Every estimate is an Estimate: a mean with a standard error. When several
// observations share a prompt (several samples, several references) the
// standard error is clustered by prompt (see MeanSE), because observations on
// one prompt are not independent.
package eval
