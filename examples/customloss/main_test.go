package main

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/aligntest"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// TestSmoothHingeGradient checks the loss's gradient with respect to every
// per-token policy log-prob against central finite differences
// (autograd.CheckGrad in float64: step 1e-6, tolerance 1e-7 + 1e-5·|numeric|).
func TestSmoothHingeGradient(t *testing.T) {
	loss := &align.Loss{Name: "smooth_hinge", Config: align.DefaultConfig(), Func: SmoothHinge(5)}
	batch := smallBatch()
	lengths := [][]int{batch.PolicyChosen.Lengths(), batch.PolicyRejected.Lengths()}
	err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
		batch.PolicyChosen = align.TokensFromLengths(in[0], lengths[0])
		batch.PolicyRejected = align.TokensFromLengths(in[1], lengths[1])
		out, err := loss.ComputeTokens(batch)
		if err != nil {
			t.Fatal(err)
		}
		return out.Loss
	}, []*tensor.Tensor{batch.PolicyChosen.Values.Data, batch.PolicyRejected.Values.Data}, autograd.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSmoothHingeVector checks values, gradients and metrics with
// aligntest, against numbers computed here in plain float64 from the
// formula (independent of autograd):
//
//	ℓ_i = log(1 + exp(u_i))/s,  u_i = s (1 - β Δ_i)
//	dL/dS_w,i = -β σ(u_i)/B = -dL/dS_l,i, the same for each of the sequence's tokens.
func TestSmoothHingeVector(t *testing.T) {
	const beta, s = 0.1, 5.0
	c := aligntest.Case{
		ID: "smooth_hinge-00", Loss: "smooth_hinge", Params: json.RawMessage(`{"beta": 0.1}`),
		Inputs: aligntest.Inputs{
			PolicyChosen:   [][]float64{{-1.0, -0.5, -2.0}, {-1.5, -0.25}},
			PolicyRejected: [][]float64{{-2.5, -1.0}, {-0.75, -3.0, -1.0}},
			RefChosen:      [][]float64{{-1.25, -0.5, -2.5}, {-1.0, -0.5}},
			RefRejected:    [][]float64{{-2.0, -1.0}, {-1.0, -2.5, -1.5}},
		},
	}
	sum := func(x []float64) float64 {
		total := 0.0
		for _, v := range x {
			total += v
		}
		return total
	}
	in, out := c.Inputs, &c.Outputs
	out.Metrics = map[string]*float64{}
	metrics := map[string]float64{}
	for i := range 2 {
		rw := sum(in.PolicyChosen[i]) - sum(in.RefChosen[i])
		rl := sum(in.PolicyRejected[i]) - sum(in.RefRejected[i])
		u := s * (1 - beta*(rw-rl))
		l := math.Log1p(math.Exp(u)) / s
		g := beta / (1 + math.Exp(-u)) / 2 // β σ(u) / B
		out.PerPairLoss = append(out.PerPairLoss, l)
		out.Loss += l / 2
		out.Grad.PolicyChosenLogps = append(out.Grad.PolicyChosenLogps, -g)
		out.Grad.PolicyRejectedLogps = append(out.Grad.PolicyRejectedLogps, g)
		out.Grad.PolicyChosenTokens = append(out.Grad.PolicyChosenTokens, repeat(-g, len(in.PolicyChosen[i])))
		out.Grad.PolicyRejectedTokens = append(out.Grad.PolicyRejectedTokens, repeat(g, len(in.PolicyRejected[i])))
		metrics["rewards/chosen"] += beta * rw / 2
		metrics["rewards/rejected"] += beta * rl / 2
		metrics["rewards/margins"] += beta * (rw - rl) / 2
		if rw > rl {
			metrics["rewards/accuracies"] += 0.5
		}
		metrics["logps/chosen"] += sum(in.PolicyChosen[i]) / 2
		metrics["logps/rejected"] += sum(in.PolicyRejected[i]) / 2
	}
	for k, v := range metrics {
		out.Metrics[k] = &v
	}
	fn := func(cfg align.Config, tb *align.TokenBatch) (*align.Output, error) {
		loss := &align.Loss{Name: "smooth_hinge", Config: cfg, Func: SmoothHinge(s)}
		return loss.ComputeTokens(tb)
	}
	for _, m := range aligntest.CheckCase(&c, fn, aligntest.DefaultTolerance) {
		t.Error(m)
	}
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
