package eval

import (
	"fmt"
	"math"
)

// rowMax returns the largest value of x. It panics if x is empty.
func rowMax(x []float64) float64 {
	if len(x) == 0 {
		panic("eval: CategoricalKL of an empty row")
	}
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}

// CategoricalKL returns KL(p||q) = sum_v p_v (log p_v - log q_v) in nats for
// p = softmax(logitsP) and q = softmax(logitsQ). Logits or log-probabilities
// may be given (log-softmax leaves log-probabilities unchanged); -Inf marks an
// impossible token. With the row maxima m_p, m_q subtracted (so no exp
// overflows), e_v = exp(x_v - m_p), S_p = sum_v e_v and S_q = sum_v
// exp(y_v - m_q):
//
//	KL = (1/S_p) sum_v e_v ((x_v - m_p) - (y_v - m_q)) - log S_p + log S_q,
//
// one pass with two exponentials per token. Terms with p_v = 0 add nothing; a
// token with p_v > 0 and q_v = 0 makes the result +Inf. Rounding can make the
// sum a tiny negative number; the result is clamped at 0. A row whose every
// logit is -Inf is no distribution: the result is then NaN. CategoricalKL
// panics if the rows differ in length or are empty.
func CategoricalKL(logitsP, logitsQ []float64) float64 {
	if len(logitsP) != len(logitsQ) {
		panic(fmt.Sprintf("eval: CategoricalKL: rows of length %d and %d", len(logitsP), len(logitsQ)))
	}
	mp, mq := rowMax(logitsP), rowMax(logitsQ)
	if math.IsInf(mp, 0) || math.IsInf(mq, 0) {
		return math.NaN()
	}
	var sp, sq, cross float64
	for v, x := range logitsP {
		x -= mp
		y := logitsQ[v] - mq
		e := math.Exp(x)
		sp += e
		sq += math.Exp(y)
		if e > 0 {
			cross += e * (x - y)
		}
	}
	return math.Max(cross/sp-math.Log(sp)+math.Log(sq), 0)
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
