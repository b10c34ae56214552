package pythia

import (
	"math"
	"testing"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// The gradients of SequenceLogProbs (through the padding mask, the row
// selection and the label shift) agree with central finite differences in
// float64: |analytic - numeric| <= 1e-8 + 1e-6 |numeric| on sampled entries of
// every parameter.
func TestSequenceLogProbsGradient(t *testing.T) {
	m := randomTinyModel(t, tensor.Float64)
	prompts := [][]int{{3, 1, 4}, {1}, {2, 7}}
	responses := [][]int{{1, 5}, {9, 2, 6, 5}, {}}
	objective := func() *autograd.Value {
		lp := m.SequenceLogProbs(prompts, responses)
		return autograd.Add(autograd.Sum(lp.Sum), autograd.Scale(autograd.Sum(lp.Mean), 0.5))
	}
	objective().Backward()
	const h = 1e-6
	for _, p := range m.Params() {
		data := p.Value.Data.Float64s()
		for _, i := range []int{0, len(data) / 3, len(data) - 1} {
			orig := data[i]
			data[i] = orig + h
			up := objective().Item()
			data[i] = orig - h
			down := objective().Item()
			data[i] = orig
			numeric := (up - down) / (2 * h)
			analytic := p.Value.Grad.Float64s()[i]
			if math.Abs(analytic-numeric) > 1e-8+1e-6*math.Abs(numeric) {
				t.Errorf("%s[%d]: gradient %.10g, finite difference %.10g", p.Name, i, analytic, numeric)
			}
		}
	}
}

// An empty response scores nothing: count 0, sum 0, mean 0, and its row of
// PerToken is zero.
func TestSequenceLogProbsEmptyResponse(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	lp := m.SequenceLogProbs([][]int{{1, 2}, {3}}, [][]int{{4, 5, 6}, {}})
	if lp.Count[1] != 0 || lp.Sum.Data.At(1) != 0 || lp.Mean.Data.At(1) != 0 || lp.PerToken.Data.At(1, 0) != 0 {
		t.Fatalf("empty response: count %d, sum %v, mean %v", lp.Count[1], lp.Sum.Data.At(1), lp.Mean.Data.At(1))
	}
	if s := lp.PerToken.Shape(); s[0] != 2 || s[1] != 3 {
		t.Fatalf("PerToken shape %v; want [2 3]", s)
	}
}

// Frozen shares the weights as constants: no graph, same outputs, and
// in-place updates of the trained model are visible.
func TestFrozenSharesWeights(t *testing.T) {
	m := randomTinyModel(t, tensor.Float32)
	f := m.Frozen()
	ids := [][]int{{1, 2, 3}}
	out := f.Forward(ids, nil)
	if out.RequiresGrad() || f.Params()[0].Value.RequiresGrad() {
		t.Fatal("the frozen model records a graph")
	}
	if relErr(out.Data, m.Forward(ids, nil).Data.ToFloat64s()) != 0 {
		t.Fatal("frozen and trainable outputs differ")
	}
	m.EmbedOut.Data.Float32s()[0] += 1
	if f.EmbedOut.Data.Float32s()[0] != m.EmbedOut.Data.Float32s()[0] {
		t.Fatal("an in-place update is not visible through the frozen model")
	}
	cfg := tinyConfig(t)
	cfg.TieWordEmbeddings = true
	tied, _ := NewRandom(cfg, tensor.Float32, 1)
	if ft := tied.Frozen(); ft.EmbedOut != ft.EmbedIn {
		t.Fatal("the frozen copy of a tied model is untied")
	}
}
