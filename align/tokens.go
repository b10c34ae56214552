package align

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// TokenLogProbs holds per-token completion log-probs of a batch of
// sequences: Values [B, T] with log p(y_t | x, y_<t) at the completion tokens
// and anything (it is ignored and gets no gradient) elsewhere, and Mask
// [B, T] with 1 at the completion tokens and 0 at prompt and padding
// positions. The k-th completion token of row i is the k-th position of row
// i where Mask is 1.
type TokenLogProbs struct {
	Values *autograd.Value // [B, T] log-probs in nats
	Mask   *tensor.Tensor  // [B, T] 0/1, same dtype as Values
}

// TokensFromLengths returns TokenLogProbs whose completion tokens are the
// first lengths[i] positions of row i of values [B, T] (a right-padded
// completion-only layout). It panics if values is not 2-D, len(lengths) != B,
// or a length is negative or above T.
func TokensFromLengths(values *autograd.Value, lengths []int) *TokenLogProbs {
	b, t := tokenShape("TokensFromLengths", values)
	if len(lengths) != b {
		panic(fmt.Sprintf("align: TokensFromLengths: %d lengths for values of shape %v", len(lengths), values.Shape()))
	}
	mask := tensor.Zeros(values.DType(), b, t)
	for i, n := range lengths {
		if n < 0 || n > t {
			panic(fmt.Sprintf("align: TokensFromLengths: lengths[%d] = %d outside [0, %d] for values of shape %v", i, n, t, values.Shape()))
		}
		for j := 0; j < n; j++ {
			mask.Set(1, i, j)
		}
	}
	return &TokenLogProbs{Values: values, Mask: mask}
}

// TokensFromMask returns TokenLogProbs with the completion tokens marked true
// in mask [B][T] (e.g. labels != -100 of a collated batch, shifted like the
// log-probs). It panics if mask is not [B][T] for values [B, T].
func TokensFromMask(values *autograd.Value, mask [][]bool) *TokenLogProbs {
	b, t := tokenShape("TokensFromMask", values)
	if len(mask) != b {
		panic(fmt.Sprintf("align: TokensFromMask: mask has %d rows for values of shape %v", len(mask), values.Shape()))
	}
	m := tensor.Zeros(values.DType(), b, t)
	for i, row := range mask {
		if len(row) != t {
			panic(fmt.Sprintf("align: TokensFromMask: mask row %d has %d entries for values of shape %v", i, len(row), values.Shape()))
		}
		for j, keep := range row {
			if keep {
				m.Set(1, i, j)
			}
		}
	}
	return &TokenLogProbs{Values: values, Mask: m}
}

// Rows returns B.
func (p *TokenLogProbs) Rows() int { return p.Values.Data.Dim(0) }

// Lengths returns the number of completion tokens of each row.
func (p *TokenLogProbs) Lengths() []int {
	b, t := tokenShape("TokenLogProbs.Lengths", p.Values)
	m := p.Mask.ToFloat64s()
	out := make([]int, b)
	for i := range out {
		for j := 0; j < t; j++ {
			if m[i*t+j] != 0 {
				out[i]++
			}
		}
	}
	return out
}

// completion returns the completion-token entries of each row, in order.
func (p *TokenLogProbs) completion() [][]float64 {
	b, t := tokenShape("TokenLogProbs", p.Values)
	v, m := p.Values.Data.ToFloat64s(), p.Mask.ToFloat64s()
	out := make([][]float64, b)
	for i := range out {
		for j := 0; j < t; j++ {
			if m[i*t+j] != 0 {
				out[i] = append(out[i], v[i*t+j])
			}
		}
	}
	return out
}

// check panics unless Mask matches Values, and returns an error naming field,
// row and completion-token index of the first non-finite log-prob.
func (p *TokenLogProbs) check(field string) error {
	if !tensor.SameShape(p.Mask, p.Values.Data) {
		panic(fmt.Sprintf("align: %s: mask of shape %v for values of shape %v", field, p.Mask.Shape(), p.Values.Shape()))
	}
	for i, row := range p.completion() {
		for k, x := range row {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%s[%d][%d] is %v; log-probs must be finite", field, i, k, x)
			}
		}
	}
	return nil
}

func tokenShape(op string, v *autograd.Value) (b, t int) {
	if v.Data.Rank() != 2 {
		panic(fmt.Sprintf("align: %s: want per-token log-probs of shape [B, T], got %v", op, v.Shape()))
	}
	return v.Data.Dim(0), v.Data.Dim(1)
}

// TokenBatch is the per-token form of a Batch: the same fields, each a
// TokenLogProbs of shape [B, T] (T may differ between fields). The reference
// fields must mark the same completion tokens as their policy fields (they
// score the same sequences); they may be nil (reference-free). PolicyKL and
// RefKL are used by kto only.
type TokenBatch struct {
	PolicyChosen, PolicyRejected *TokenLogProbs
	RefChosen, RefRejected       *TokenLogProbs
	PolicyKL, RefKL              *TokenLogProbs
}

// SequenceBatch sums the per-token log-probs of tb into sequence log-probs:
//
//	S(y) = sum_t log p(y_t | x, y_<t)   over the completion tokens of y.
//
// With ldAlpha non-nil (LD-DPO, Liu et al. 2024, as TRL v1.9.0 ld_alpha)
// each pair's sums become, with l_p = min(n_w, n_l),
//
//	S(y) = sum_{t <= l_p} log p_t + ld_alpha * sum_{t > l_p} log p_t,
//
// for policy and reference alike; the lengths stay the full token counts.
// ldAlpha = 1 is plain summation and 0 drops the longer completion's tail.
//
// The policy sums keep their gradient after Backward (RetainGrad) so the
// per-sequence gradients dL/dS can be inspected; they are [B] values. It
// returns an error naming the field and index of a non-finite log-prob or an
// empty completion, and panics if a reference field marks other tokens than
// its policy field or, with ldAlpha, if chosen and rejected differ in B.
func SequenceBatch(tb *TokenBatch, ldAlpha *float64) (*Batch, error) {
	fields := []struct {
		name string
		tok  *TokenLogProbs
	}{
		{"policy_chosen", tb.PolicyChosen}, {"policy_rejected", tb.PolicyRejected},
		{"ref_chosen", tb.RefChosen}, {"ref_rejected", tb.RefRejected},
		{"policy_kl", tb.PolicyKL}, {"ref_kl", tb.RefKL},
	}
	if tb.PolicyChosen == nil || tb.PolicyRejected == nil {
		panic("align: SequenceBatch: PolicyChosen and PolicyRejected are required")
	}
	for _, f := range fields {
		if f.tok == nil {
			continue
		}
		if err := f.tok.check(f.name); err != nil {
			return nil, err
		}
	}
	sameTokens("ref_chosen", tb.RefChosen, tb.PolicyChosen)
	sameTokens("ref_rejected", tb.RefRejected, tb.PolicyRejected)
	sameTokens("ref_kl", tb.RefKL, tb.PolicyKL)

	b := &Batch{ChosenLengths: tb.PolicyChosen.Lengths(), RejectedLengths: tb.PolicyRejected.Lengths()}
	if ldAlpha == nil {
		b.PolicyChosen, b.PolicyRejected = sumTokens(tb.PolicyChosen), sumTokens(tb.PolicyRejected)
		b.RefChosen, b.RefRejected = sumTokens(tb.RefChosen), sumTokens(tb.RefRejected)
	} else {
		if len(b.ChosenLengths) != len(b.RejectedLengths) {
			panic(fmt.Sprintf("align: SequenceBatch: LD-DPO needs pairs; %d chosen and %d rejected rows", len(b.ChosenLengths), len(b.RejectedLengths)))
		}
		// l_p = min(n_w, n_l) per pair
		lp := make([]int, len(b.ChosenLengths))
		for i := range lp {
			lp[i] = min(b.ChosenLengths[i], b.RejectedLengths[i])
		}
		a := *ldAlpha
		b.PolicyChosen, b.PolicyRejected = ldSum(tb.PolicyChosen, lp, a), ldSum(tb.PolicyRejected, lp, a)
		b.RefChosen, b.RefRejected = ldSum(tb.RefChosen, lp, a), ldSum(tb.RefRejected, lp, a)
	}
	b.PolicyKL, b.RefKL = sumTokens(tb.PolicyKL), sumTokens(tb.RefKL)
	b.PolicyChosen.RetainGrad()
	b.PolicyRejected.RetainGrad()
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// sameTokens panics unless ref (when given) marks the same completion tokens
// as policy.
func sameTokens(field string, ref, policy *TokenLogProbs) {
	if ref == nil {
		return
	}
	if policy == nil {
		panic(fmt.Sprintf("align: SequenceBatch: %s given without its policy field", field))
	}
	a, b := ref.Lengths(), policy.Lengths()
	if len(a) != len(b) {
		panic(fmt.Sprintf("align: SequenceBatch: %s has %d rows, its policy field %d", field, len(a), len(b)))
	}
	for i := range a {
		if a[i] != b[i] {
			panic(fmt.Sprintf("align: SequenceBatch: %s row %d has %d completion tokens, its policy field %d", field, i, a[i], b[i]))
		}
	}
}

// sumTokens returns S = sum over the completion tokens of each row, [B].
// Non-completion positions are replaced by 0 first, so they get no gradient
// (and a NaN there cannot leak into the sum).
func sumTokens(p *TokenLogProbs) *autograd.Value {
	if p == nil {
		return nil
	}
	return maskedRowSum(p.Values, p.Mask)
}

// maskedRowSum returns sum_t keep[b,t] * x[b,t] over axis 1 with x zeroed
// (not multiplied) where keep is 0. x [B, T], keep [B, T] -> [B].
func maskedRowSum(x *autograd.Value, keep *tensor.Tensor) *autograd.Value {
	drop := tensor.Apply(keep, func(v float64) float64 {
		if v == 0 {
			return 1
		}
		return 0
	})
	return autograd.Sum(autograd.MaskedFill(x, drop, 0), 1) // (B, T) -> (B)
}

// ldSum returns head + alpha*tail per row, head summing the first lp[i]
// completion tokens of row i and tail the rest.
func ldSum(p *TokenLogProbs, lp []int, alpha float64) *autograd.Value {
	if p == nil {
		return nil
	}
	b, t := tokenShape("SequenceBatch", p.Values)
	if b != len(lp) {
		panic(fmt.Sprintf("align: SequenceBatch: LD-DPO with %d pairs and per-token values of shape %v", len(lp), p.Values.Shape()))
	}
	m := p.Mask.ToFloat64s()
	head := tensor.Zeros(p.Values.DType(), b, t)
	tail := tensor.Zeros(p.Values.DType(), b, t)
	for i := 0; i < b; i++ {
		k := 0 // completion-token index within row i
		for j := 0; j < t; j++ {
			if m[i*t+j] == 0 {
				continue
			}
			if k < lp[i] {
				head.Set(1, i, j)
			} else {
				tail.Set(1, i, j)
			}
			k++
		}
	}
	// S = sum_{t <= l_p} log p_t + alpha * sum_{t > l_p} log p_t
	return autograd.Add(maskedRowSum(p.Values, head), autograd.Scale(maskedRowSum(p.Values, tail), alpha))
}
