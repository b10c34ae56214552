package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/aligntest"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/eval/study"
	"github.com/daalab/daa/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, err)
		return out.Loss
	}, []*tensor.Tensor{batch.PolicyChosen.Values.Data, batch.PolicyRejected.Values.Data}, autograd.CheckOptions{})
	assert.NoError(t, err)
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
	assert.Empty(t, aligntest.CheckCase(&c, fn, aligntest.DefaultTolerance))
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestStudyOnTheCustomLoss runs a tiny over-optimization study (-study with
// the XS model and a few dozen steps) and checks that points.csv holds the
// registered loss's runs next to DPO's, by name in the objective column,
// and that the output is complete (study.VerifySummary).
func TestStudyOnTheCustomLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny study")
	}
	register()
	o := studyOptions(t.TempDir(), true)
	o.Betas, o.Sizes, o.Seed, o.Workers = []float64{0.1, 1}, []string{"XS"}, 5, 1
	o.SFTSteps, o.SFTWarmup, o.Data.SFT, o.Data.TrainPairs, o.DAABatch = 20, 2, 400, 64, 16
	o.Data.EvalPrompts, o.Data.HeldOut, o.Checkpoints = 8, 8, 2
	var log strings.Builder
	require.NoError(t, runStudy(o, &log))
	f, err := os.Open(filepath.Join(o.Out, "points.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "objective", rows[0][0])
	count := map[string]int{}
	for _, row := range rows[1:] {
		count[row[0]]++
	}
	assert.Equal(t, map[string]int{"dpo": 6, "smooth_hinge": 6}, count, "2 betas x 3 checkpoints per objective")
	assert.NoError(t, study.VerifySummary(filepath.Join(o.Out, "summary.json")))
	assert.Contains(t, log.String(), "hump_smooth_hinge")
}
