package pythia

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// Scorer is the contract of a backend that trains on completion
// log-probabilities: it scores packed prompt/response batches and
// back-propagates gradients of those scores into its model's parameters.
// The autograd model (through Model.Scorer, float32 or float64) and the
// fused float32 engine of package pythia/fast (*fast.Engine) implement it;
// a trainer written against Scorer runs on either. Implementations are not
// safe for concurrent use.
type Scorer interface {
	// SequenceLogProbs scores responses[b] given prompts[b] for every b (B
	// sequences): response token j is scored from the position before it
	// (the label shift), given the prompt and the response before it. The
	// result belongs to the scorer and is valid until its next call. It
	// panics as Model.CheckSequences reports, or if the batch exceeds the
	// backend's capacity.
	SequenceLogProbs(prompts, responses [][]int) *LogProbs
	// Backward accumulates (+=) into the parameters' Grad the gradient of
	// a loss whose derivative with respect to LogProbs.Sum of the last
	// SequenceLogProbs call is dSum [B]. A backward pass consumes that
	// call's state: it panics when called twice for one scoring, after no
	// scoring, or if len(dSum) != B.
	Backward(dSum []float64)
	// BackwardPerToken is Backward for a loss whose derivative with
	// respect to LogProbs.PerToken[b][j] is dPerToken[b][j] ([B][Count[b]]);
	// it panics as Backward does or if dPerToken has another shape.
	BackwardPerToken(dPerToken [][]float64)
}

// LogProbs are the completion log-probabilities (natural logs) of a batch
// of B responses given their prompts, and the statistics of their logits
// that TRL logs, all in float64.
type LogProbs struct {
	// Sum[b] = Σ_j log p(response_b[j] | prompt_b, response_b[:j]).
	Sum []float64
	// Mean[b] = Sum[b] / Count[b] (0 for an empty response).
	Mean []float64
	// Count[b] = len(responses[b]), the number of tokens scored.
	Count []int
	// PerToken[b][j] is the log-probability of response token j (Count[b] values).
	PerToken [][]float64
	// LogitSum[b] = Σ_j Σ_v logits[j, v], over the response positions j of
	// sequence b and the whole vocabulary: TRL's logits/chosen is
	// Σ_b LogitSum[b] / (V Σ_b Count[b]) over the chosen sequences.
	LogitSum []float64
	// Top1[b] is the number of response tokens of sequence b that are the
	// model's most likely token at their position (their logit is the
	// largest): TRL's mean_token_accuracy is Σ_b Top1[b] / Σ_b Count[b].
	Top1 []int
}

// ModelScorer is the Scorer of an autograd Model: SequenceLogProbs runs
// Model.SequenceLogProbs (in the model's dtype) and keeps its graph for one
// backward pass, which adds into the Grad of the model's parameters (none
// for a Frozen model, whose backward passes do nothing).
type ModelScorer struct {
	m    *Model
	last *SequenceLogProbs // the graph of the last scoring, nil once consumed
	out  LogProbs
}

// Scorer returns the Scorer of m. The model stays usable (and stateless)
// on its own; the scorer holds the graph of its last scoring.
func (m *Model) Scorer() *ModelScorer { return &ModelScorer{m: m} }

// Model returns the scored model.
func (s *ModelScorer) Model() *Model { return s.m }

// SequenceLogProbs implements Scorer; see Model.SequenceLogProbs. The
// logit sums (in float64) and Top1 come from the (B, R, V) logits the
// autograd model forms anyway.
func (s *ModelScorer) SequenceLogProbs(prompts, responses [][]int) *LogProbs {
	lp, logits := s.m.sequenceLogProbs(prompts, responses)
	s.last = lp
	b := len(prompts)
	r, v := logits.Shape()[1], logits.Shape()[2]
	per, lg := lp.PerToken.Data.ToFloat64s(), logits.Data.ToFloat64s()
	o := &s.out
	o.Sum, o.Mean, o.Count = lp.Sum.Data.ToFloat64s(), lp.Mean.Data.ToFloat64s(), lp.Count
	o.PerToken, o.LogitSum, o.Top1 = make([][]float64, b), make([]float64, b), make([]int, b)
	for i, n := range lp.Count {
		o.PerToken[i] = per[i*r : i*r+n]
		for j := range n {
			row := lg[(i*r+j)*v : (i*r+j+1)*v]
			top := row[responses[i][j]]
			for _, x := range row {
				o.LogitSum[i] += x
				top = max(top, x)
			}
			if row[responses[i][j]] == top {
				o.Top1[i]++
			}
		}
	}
	return o
}

// Backward implements Scorer: d loss/d PerToken[b][j] = dSum[b].
func (s *ModelScorer) Backward(dSum []float64) {
	lp := s.take("Backward")
	if len(dSum) != len(lp.Count) {
		panic(fmt.Sprintf("pythia: Backward with %d sums for a batch of %d sequences", len(dSum), len(lp.Count)))
	}
	d := make([][]float64, len(lp.Count))
	for b, n := range lp.Count {
		d[b] = make([]float64, n)
		for j := range d[b] {
			d[b][j] = dSum[b]
		}
	}
	s.backward(lp, d)
}

// BackwardPerToken implements Scorer.
func (s *ModelScorer) BackwardPerToken(dPerToken [][]float64) {
	lp := s.take("BackwardPerToken")
	if len(dPerToken) != len(lp.Count) {
		panic(fmt.Sprintf("pythia: BackwardPerToken with %d rows for a batch of %d sequences", len(dPerToken), len(lp.Count)))
	}
	for b, n := range lp.Count {
		if len(dPerToken[b]) != n {
			panic(fmt.Sprintf("pythia: BackwardPerToken row %d has %d values for %d response tokens", b, len(dPerToken[b]), n))
		}
	}
	s.backward(lp, dPerToken)
}

// take returns the graph of the last scoring and forgets it, panicking
// when there is none.
func (s *ModelScorer) take(op string) *SequenceLogProbs {
	lp := s.last
	if lp == nil {
		panic("pythia: " + op + " needs the graph of a SequenceLogProbs call; the scorer holds none (none was made, or an earlier backward pass consumed it)")
	}
	s.last = nil
	return lp
}

// backward propagates d [B][Count[b]] into PerToken [B, R] (zeros on the
// unscored slots) and on to the parameters.
func (s *ModelScorer) backward(lp *SequenceLogProbs, d [][]float64) {
	sh := lp.PerToken.Shape()
	r := sh[1]
	g := make([]float64, sh[0]*r)
	for b, row := range d {
		copy(g[b*r:], row)
	}
	lp.PerToken.BackwardWith(tensor.FromValues(lp.PerToken.DType(), g, sh...))
}

// SumValue returns lp.Sum, [B] in float64, as a value of the autograd graph
// whose backward pass runs sc.Backward: Backward on any loss built from it
// (an align loss, a user's own) accumulates the loss's gradient into the
// parameters of sc's model. lp must be the result of sc's latest
// SequenceLogProbs call (it is copied), and the graph must be
// back-propagated at most once (the scorer's backward consumes its state).
func SumValue(sc Scorer, lp *LogProbs) *autograd.Value {
	b := len(lp.Sum)
	data := tensor.FromValues(tensor.Float64, lp.Sum, b)
	return autograd.Custom("SequenceLogProbs.Sum", data, nil, func(g *tensor.Tensor) []*tensor.Tensor {
		sc.Backward(g.ToFloat64s())
		return nil
	})
}

// PerTokenValue returns lp.PerToken as a [B, R] value of dtype dt (R the
// longest response; entries past each response's Count are 0) whose
// backward pass runs sc.BackwardPerToken, with the conditions of SumValue.
// It panics if dt is not a floating-point dtype.
func PerTokenValue(sc Scorer, lp *LogProbs, dt tensor.DType) *autograd.Value {
	b, r := len(lp.Count), 0
	for _, n := range lp.Count {
		r = max(r, n)
	}
	per := make([]float64, b*r)
	for i, row := range lp.PerToken {
		copy(per[i*r:], row)
	}
	counts := append([]int(nil), lp.Count...)
	return autograd.Custom("SequenceLogProbs.PerToken", tensor.FromValues(dt, per, b, r), nil, func(g *tensor.Tensor) []*tensor.Tensor {
		gs := g.ToFloat64s()
		d := make([][]float64, b)
		for i, n := range counts {
			d[i] = gs[i*r : i*r+n]
		}
		sc.BackwardPerToken(d)
		return nil
	})
}
