package pythia

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
)

// TestTinyRandomGoldens reproduces ../shared/pythia/tiny-random: logits,
// every hidden state and the gradient of every parameter for the mean
// next-token cross-entropy, from an independent PyTorch GPTNeoXForCausalLM
// (float64 math over the stored float32 weights, float64 rotary tables).
// Normwise relative tolerance (max |diff| / max |reference| per tensor) 1e-5
// in float32 and 1e-12 in float64.
func TestTinyRandomGoldens(t *testing.T) {
	for _, name := range []string{"tiny-neox-parallel", "tiny-neox-sequential-legacybuf"} {
		dir := shareddata.Path(t, "pythia", "tiny-random", name)
		for _, c := range dtypes {
			t.Run(name+"/"+c.dt.String(), func(t *testing.T) {
				checkGoldenDir(t, dir, LoadOptions{DType: c.dt}, c.tol)
			})
		}
	}
}

// checkGoldenDir loads dir and compares a forward and backward pass on the
// ids of golden.json with golden.safetensors.
func checkGoldenDir(t *testing.T, dir string, opts LoadOptions, tol float64) {
	m, err := LoadDir(dir, opts)
	require.NoError(t, err)
	var meta struct {
		InputIDs [][]int `json:"input_ids"`
		Loss     float64 `json:"loss"`
	}
	readJSON(t, filepath.Join(dir, "golden.json"), &meta)
	want := openExpected(t, filepath.Join(dir, "golden.safetensors"))

	logits, acts := m.ForwardActivations(meta.InputIDs, nil)
	want.check("logits", logits.Data, tol)
	want.check("act.embed", acts.Embed.Data, tol)
	for i, h := range acts.Layers {
		want.check(fmt.Sprintf("act.layer.%d", i), h.Data, tol)
	}
	want.check("act.final_layer_norm", acts.FinalNorm.Data, tol)

	loss := m.NextTokenLoss(meta.InputIDs, nil)
	assert.InEpsilon(t, meta.Loss, loss.Item(), tol, "loss vs the reference")
	loss.Backward()
	for _, p := range m.Params() {
		want.check("grad."+p.Name, p.Value.Grad, tol)
	}
	want.logWorst()
}
