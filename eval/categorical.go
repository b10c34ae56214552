package eval

import (
	"fmt"
	"math"
)

// logSumExp returns log sum_v exp(x_v) computed as m + log sum_v exp(x_v - m)
// with m = max_v x_v, so no term overflows. It returns -Inf when every x_v is
// -Inf, and panics if x is empty.
func logSumExp(x []float64) float64 {
	if len(x) == 0 {
		panic("eval: logSumExp of an empty row")
	}
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// CategoricalKL returns KL(p||q) = sum_v p_v (log p_v - log q_v) in nats for
// p = softmax(logitsP) and q = softmax(logitsQ). Logits or log-probabilities
// may be given (log-softmax leaves log-probabilities unchanged); -Inf marks an
// impossible token. Both rows are normalised with a max-subtracted
// log-sum-exp, so logits of any magnitude are safe. Terms with p_v = 0 add
// nothing; a token with p_v > 0 and q_v = 0 makes the result +Inf. Rounding
// can make the sum a tiny negative number; the result is clamped at 0.
// CategoricalKL panics if the rows differ in length or are empty.
func CategoricalKL(logitsP, logitsQ []float64) float64 {
	if len(logitsP) != len(logitsQ) {
		panic(fmt.Sprintf("eval: CategoricalKL: rows of length %d and %d", len(logitsP), len(logitsQ)))
	}
	lseP, lseQ := logSumExp(logitsP), logSumExp(logitsQ)
	var kl float64
	for v := range logitsP {
		logP := logitsP[v] - lseP
		if math.IsInf(logP, -1) {
			continue // p_v = 0
		}
		logQ := logitsQ[v] - lseQ
		kl += math.Exp(logP) * (logP - logQ)
	}
	return math.Max(kl, 0)
}

// TokenKL returns the exact per-token KL(p_t||q_t) for the T rows of two
// row-major (T, vocab) matrices of next-token logits (or log-probs) of one
// sequence under p and under q; see CategoricalKL. TokenKL panics if vocab <= 0
// or if either matrix is not T*vocab long with the same T.
func TokenKL(logitsP, logitsQ []float64, vocab int) []float64 {
	if vocab <= 0 || len(logitsP)%vocab != 0 || len(logitsP) != len(logitsQ) {
		panic(fmt.Sprintf("eval: TokenKL: logits of length %d and %d are not (T, %d) matrices of the same T", len(logitsP), len(logitsQ), vocab))
	}
	kl := make([]float64, len(logitsP)/vocab)
	for t := range kl {
		kl[t] = CategoricalKL(logitsP[t*vocab:(t+1)*vocab], logitsQ[t*vocab:(t+1)*vocab])
	}
	return kl
}

// ExactStepKL estimates the sequence KL(p||q) from N sequences sampled from p
// when the full next-token distributions along each sequence are known:
// logitsP[i] and logitsQ[i] are row-major (T_i, vocab) matrices of the
// next-token logits of sequence i at each scored position under p and q. The
// per-sequence value sum_t KL(p(.|y_<t) || q(.|y_<t)) has expectation
// KL(p||q) over y ~ p (the chain rule of KL) and lower variance than k1 or k3,
// because the sampling of y_t itself is averaged out. clusters is as in
// SampledKL. ExactStepKL panics as TokenKL does, or if the counts of
// sequences (or cluster ids) differ.
func ExactStepKL(logitsP, logitsQ [][]float64, vocab int, clusters []int) Estimate {
	if len(logitsP) != len(logitsQ) {
		panic(fmt.Sprintf("eval: ExactStepKL: %d sequences under p but %d under q", len(logitsP), len(logitsQ)))
	}
	perSeq := make([]float64, len(logitsP))
	for i := range logitsP {
		for _, v := range TokenKL(logitsP[i], logitsQ[i], vocab) {
			perSeq[i] += v
		}
	}
	return MeanSE(perSeq, clusters)
}
