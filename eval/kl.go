package eval

import (
	"fmt"
	"math"
)

// KLEstimate holds the three sampled estimates of one KL divergence, each a
// mean over sequences with its standard error. See the package documentation
// for the definitions of k1, k2 and k3.
type KLEstimate struct {
	K1 Estimate // mean of sum_t -log r_t (unbiased)
	K2 Estimate // mean of sum_t 0.5 (log r_t)^2 (biased)
	K3 Estimate // mean of sum_t (r_t - 1 - log r_t) (unbiased, terms >= 0)
}

// SequenceKL returns the three estimates of KL(p||q) from one sequence
// sampled from p. sampler[t] = log p(y_t | x, y_<t) and other[t] =
// log q(y_t | x, y_<t), in nats, over the scored tokens of the response (in
// the flagship: the response tokens and EOS). With log r_t = other[t] -
// sampler[t]:
//
//	k1 = sum_t -log r_t
//	k2 = sum_t 0.5 (log r_t)^2
//	k3 = sum_t (r_t - 1 - log r_t), each term computed as expm1(log r_t) - log r_t
//
// expm1 keeps k3 accurate when r_t is near 1, where r - 1 - log r ~ (log r)^2/2
// would otherwise be lost to cancellation. SequenceKL panics if the slices
// differ in length.
func SequenceKL(sampler, other []float64) (k1, k2, k3 float64) {
	if len(sampler) != len(other) {
		panic(fmt.Sprintf("eval: SequenceKL: %d sampler log-probs but %d other log-probs", len(sampler), len(other)))
	}
	for t := range sampler {
		logR := other[t] - sampler[t]
		k1 -= logR
		k2 += 0.5 * logR * logR
		k3 += math.Expm1(logR) - logR
	}
	return k1, k2, k3
}

// SampledKL estimates KL(p||q) from N sequences sampled from p: sampler[i]
// holds the per-token log-probs of sequence i under p and other[i] those under
// q (see SequenceKL). clusters, when non-nil, gives the prompt of each
// sequence and makes the standard errors clustered by prompt (see MeanSE).
// SampledKL panics if sampler and other (or clusters, when non-nil) differ in
// length, or if any pair of rows differs in length.
func SampledKL(sampler, other [][]float64, clusters []int) KLEstimate {
	if len(sampler) != len(other) {
		panic(fmt.Sprintf("eval: SampledKL: %d sampler sequences but %d other sequences", len(sampler), len(other)))
	}
	k1 := make([]float64, len(sampler))
	k2 := make([]float64, len(sampler))
	k3 := make([]float64, len(sampler))
	for i := range sampler {
		k1[i], k2[i], k3[i] = SequenceKL(sampler[i], other[i])
	}
	return KLEstimate{K1: MeanSE(k1, clusters), K2: MeanSE(k2, clusters), K3: MeanSE(k3, clusters)}
}

// ReverseKL estimates KL(pi||pi_ref) = E_{y~pi}[log pi(y|x) - log pi_ref(y|x)]
// from responses sampled from the policy: policy[i][t] and ref[i][t] are the
// log-probs of token t of policy sample i under the policy and under the
// reference. clusters is as in SampledKL. ReverseKL panics as SampledKL does.
func ReverseKL(policy, ref [][]float64, clusters []int) KLEstimate {
	return SampledKL(policy, ref, clusters)
}

// ForwardKL estimates KL(pi_ref||pi) = E_{y~pi_ref}[log pi_ref(y|x) - log pi(y|x)]
// from responses sampled from the reference: ref[i][t] and policy[i][t] are
// the log-probs of token t of reference sample i under the reference and under
// the policy. clusters is as in SampledKL. ForwardKL panics as SampledKL does.
func ForwardKL(ref, policy [][]float64, clusters []int) KLEstimate {
	return SampledKL(ref, policy, clusters)
}

// SqrtKL returns d = sqrt(kl), the x axis of the over-optimization plots. A
// sampled estimate can be negative (k1 is unbiased, not non-negative); the
// true KL is >= 0, so SqrtKL returns 0 for kl <= 0 and NaN for NaN.
func SqrtKL(kl float64) float64 {
	if kl <= 0 {
		return 0
	}
	return math.Sqrt(kl)
}
