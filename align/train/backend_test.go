package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// float64Copy returns a float64 model with m's weights.
func float64Copy(t *testing.T, m *pythia.Model) *pythia.Model {
	t.Helper()
	c, err := pythia.New(m.Config, tensor.Float64)
	require.NoError(t, err)
	for i, p := range c.Params() {
		p.Value.Data.CopyFrom(m.Params()[i].Value.Data.Cast(tensor.Float64))
	}
	return c
}

// TestEngineMatchesFloat64Autograd trains the same tiny policy for 5 steps
// on the engine backend (float32) and on the autograd backend in float64
// (the reference implementation), with evaluation, gradient accumulation
// and clipping, for the sigmoid loss and, with TR-DPO syncing the reference
// every 2 steps, IPO. Every logged metric (loss, rewards, log-probs,
// logits/chosen|rejected, grad_norm, eval_*) and every weight must agree
// to float32 rounding: relative 2e-5 for the metrics (1e-6 absolute near
// 0), normwise relative 1e-4 per weight tensor after 5 RMSProp updates
// (but for the attention's key bias; see dropKeyBias).
func TestEngineMatchesFloat64Autograd(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
	}{
		{"sigmoid accumulation clipping", func(c *Config) { c.GradientAccumulationSteps, c.MaxGradNorm = 2, 0.5 }},
		{"ipo tr-dpo", func(c *Config) {
			c.Loss.LossTypes = []string{"ipo"}
			c.SyncRefModel, c.RefModelSyncSteps, c.RefModelMixupAlpha = true, 2, 0.5
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := map[string]*Trainer{}
			for _, backend := range []string{BackendEngine, BackendAutograd} {
				cfg := tinyTrainConfig(t.TempDir())
				cfg.MaxSteps, cfg.EvalEvery, cfg.Backend = 5, 4, backend
				tc.edit(&cfg)
				policy := tinyModel(t, tensor.Float32, 1)
				if backend == BackendAutograd {
					policy = float64Copy(t, policy)
				}
				tr, err := New(cfg, policy, nil, tinyData(tinyPairs(31, 12), tinyPairs(32, 5)))
				require.NoError(t, err)
				require.NoError(t, tr.Train(context.Background()))
				runs[backend] = tr
			}
			e, a := runs[BackendEngine], runs[BackendAutograd]
			he, ha := e.History(), a.History()
			require.Len(t, he, len(ha))
			for i := range ha {
				require.ElementsMatch(t, keys(ha[i]), keys(he[i]), "record %d", i)
				for k, want := range ha[i] {
					assert.InDelta(t, want, he[i][k], 1e-6+2e-5*math.Abs(want), "record %d %s", i, k)
				}
			}
			pa := a.policy.Params()
			for i, p := range e.policy.Params() {
				got, want := p.Value.Data.ToFloat64s(), pa[i].Value.Data.Float64s()
				if strings.HasSuffix(p.Name, "attention.query_key_value.bias") {
					dropKeyBias(got, e.policy.Config)
					dropKeyBias(want, e.policy.Config)
				}
				assert.LessOrEqual(t, relDiff(got, want), 1e-4, p.Name)
			}
		})
	}
}

// dropKeyBias zeroes the key part of a fused query_key_value bias [3C]
// (per head: hd query, hd key, hd value entries). Its exact gradient is 0
// (adding q·b_k to every score of a query leaves the softmax unchanged),
// so both backends hold rounding noise there, which RMSProp's normalised
// update turns into steps of ±lr/sqrt(1-α): the one place the two runs
// cannot agree, and one no loss depends on.
func dropKeyBias(b []float64, c pythia.Config) {
	hd := c.HeadDim()
	for h := range c.NumAttentionHeads {
		clear(b[(3*h+1)*hd : (3*h+2)*hd])
	}
}

// relDiff is max|got - want| / max|want|.
func relDiff(got, want []float64) float64 {
	var d, s float64
	for i := range want {
		d = math.Max(d, math.Abs(got[i]-want[i]))
		s = math.Max(s, math.Abs(want[i]))
	}
	return d / s
}

func keys(r Record) []string {
	var k []string
	for key := range r {
		k = append(k, key)
	}
	return k
}

// TestBackendChoice checks the default backend per dtype and the errors
// for an engine on float64, an unknown name and bf16_reference without the
// engine.
func TestBackendChoice(t *testing.T) {
	c := DefaultConfig()
	b, err := c.backend(tensor.Float32)
	require.NoError(t, err)
	assert.Equal(t, BackendEngine, b)
	b, err = c.backend(tensor.Float64)
	require.NoError(t, err)
	assert.Equal(t, BackendAutograd, b)
	c.Backend = BackendEngine
	_, err = c.backend(tensor.Float64)
	assert.EqualError(t, err, `train: backend "engine" needs a float32 policy; this one is float64 (use "autograd")`)
	c.Backend = "gpu"
	_, err = c.backend(tensor.Float32)
	assert.ErrorContains(t, err, `train: backend = "gpu"`)
	c.Backend, c.BF16Reference = BackendAutograd, true
	_, err = c.backend(tensor.Float32)
	assert.EqualError(t, err, `train: bf16_reference needs backend "engine"`)
}
