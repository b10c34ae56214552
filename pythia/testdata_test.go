package pythia

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// The checkpoints in testdata come with expected.safetensors from the PyTorch
// reference (testdata/gen.sh, gen_expected.py: float64 with float64 rotary
// tables). Tolerances are those of dtypes: normwise relative 1e-5 in float32,
// 1e-12 in float64.
var testdataModels = []struct{ dir, what string }{
	{"sharded", "two safetensors shards and an index"},
	{"f16", "F16 storage"},
	{"bf16", "BF16 storage"},
	{"tied", "tied embeddings, gradients"},
	{"rotary-full", "rotary_pct 1.0"},
	{"sequential", "sequential residual"},
	{"gelu-new-nobias", "tanh GELU, no attention biases"},
	{"padded", "right-padded batch with attention mask, gradients, pair log-probs"},
	{"bin", "pytorch_model.bin with legacy buffers"},
}

func TestTestdataCheckpoints(t *testing.T) {
	for _, tm := range testdataModels {
		for _, c := range dtypes {
			t.Run(tm.dir+"/"+c.dt.String(), func(t *testing.T) {
				dir := filepath.Join("testdata", tm.dir)
				m, err := LoadDir(dir, LoadOptions{DType: c.dt})
				require.NoError(t, err)
				want := openExpected(t, filepath.Join(dir, "expected.safetensors"))
				checkExpected(t, m, want, c.tol)
			})
		}
	}
}

// checkExpected compares m's logits, loss, gradients (when the file has
// them) and pair log-probs (likewise) with want.
func checkExpected(t *testing.T, m *Model, want expected, tol float64) {
	ids := want.ints("input_ids")
	maskInts := want.ints("attention_mask")
	mask := make([][]bool, len(maskInts))
	for i, r := range maskInts {
		mask[i] = make([]bool, len(r))
		for j, v := range r {
			mask[i][j] = v == 1
		}
	}
	want.check("logits", m.Forward(ids, mask).Data, tol)
	loss := m.NextTokenLoss(ids, mask)
	want.check("loss", loss.Data, tol)
	if want.has("grad.gpt_neox.embed_in.weight") {
		loss.Backward()
		for _, p := range m.Params() {
			want.check("grad."+p.Name, p.Value.Grad, tol)
		}
	}
	var prompts, responses [][]int
	for i := 0; want.has(fmt.Sprintf("pair.%d.prompt", i)); i++ {
		prompts = append(prompts, want.ints(fmt.Sprintf("pair.%d.prompt", i))[0])
		responses = append(responses, want.ints(fmt.Sprintf("pair.%d.response", i))[0])
	}
	if prompts != nil {
		// All pairs in one right-padded batch; the reference ran each alone.
		lp := m.SequenceLogProbs(prompts, responses)
		for i, r := range responses {
			name := fmt.Sprintf("pair.%d.logprobs", i)
			row := tensorRow(lp.PerToken.Data, i, len(r))
			want.check(name, row, tol)
			var sum float64
			for _, v := range want.float64s(name) {
				sum += v
			}
			assert.InDelta(t, sum, lp.Sum.Data.At(i), tol*math.Abs(sum), "pair %d: sum vs the reference", i)
			assert.InDelta(t, sum/float64(len(r)), lp.Mean.Data.At(i), tol*math.Abs(sum), "pair %d: mean vs the reference", i)
			assert.Equal(t, len(r), lp.Count[i], "pair %d: token count", i)
		}
	}
	want.logWorst()
}

// tensorRow returns the first n entries of row i of a [B, R] tensor.
func tensorRow(x *tensor.Tensor, i, n int) *tensor.Tensor {
	return x.Select(0, i).Narrow(0, 0, n).Contiguous()
}
