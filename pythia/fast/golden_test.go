package fast

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/pythia"
)

// TestTinyRandomGoldens checks the engine against ../shared/pythia/tiny-random:
// logits and the gradient of every parameter for the mean shifted
// next-token cross-entropy (grad.<param>), from an independent PyTorch
// GPTNeoXForCausalLM in float64 over the stored float32 weights. Normwise
// relative tolerance: 1e-5 for logits and loss, 1e-4 for gradients.
func TestTinyRandomGoldens(t *testing.T) {
	for _, name := range []string{"tiny-neox-parallel", "tiny-neox-sequential-legacybuf"} {
		t.Run(name, func(t *testing.T) {
			dir := shareddata.Path(t, "pythia", "tiny-random", name)
			checkGoldenFile(t, dir, filepath.Join(dir, "golden.safetensors"))
		})
	}
}

// TestTestdataGoldens checks the engine against the PyTorch expectations
// kept with pythia's test checkpoints (../testdata, made by
// ../testdata/gen_expected.py, float64): logits, loss, gradients and pair
// log-probs where the file has them, with the tolerances of
// TestTinyRandomGoldens.
func TestTestdataGoldens(t *testing.T) {
	for _, dir := range []string{"tied", "rotary-full", "sequential", "gelu-new-nobias", "padded", "bf16"} {
		t.Run(dir, func(t *testing.T) {
			d := filepath.Join("..", "testdata", dir)
			checkGoldenFile(t, d, filepath.Join(d, "expected.safetensors"))
		})
	}
}

// checkGoldenFile loads the checkpoint in dir as float32 and compares
// Logits, NextTokenLoss with its gradients, and SequenceLogProbs with the
// tensors of the golden file.
func checkGoldenFile(t *testing.T, dir, golden string) {
	m, err := pythia.LoadDir(dir, pythia.LoadOptions{})
	require.NoError(t, err)
	f, err := safetensors.Open(golden)
	require.NoError(t, err)
	defer f.Close()
	floats := func(name string) []float64 {
		v, _, err := f.Float64(name)
		require.NoError(t, err, golden)
		return v
	}
	ints := func(name string) [][]int {
		v, shape, err := f.Int64(name)
		require.NoError(t, err, golden)
		cols := shape[len(shape)-1]
		rows := make([][]int, len(v)/cols)
		for i := range rows {
			for _, x := range v[i*cols : (i+1)*cols] {
				rows[i] = append(rows[i], int(x))
			}
		}
		return rows
	}
	ids := ints("input_ids")
	var mask [][]bool
	if f.Has("attention_mask") {
		for _, r := range ints("attention_mask") {
			row := make([]bool, len(r))
			for j, v := range r {
				row[j] = v == 1
			}
			mask = append(mask, row)
		}
	}
	e, err := New(m, len(ids), len(ids[0]))
	require.NoError(t, err)
	logits := e.Logits(ids, mask)
	want := floats("logits")
	var got32 []float32
	var want64 []float64
	vocab := m.Config.VocabSize
	for r := range len(want) / vocab { // real positions only: padded ones mean nothing
		if mask == nil || mask[r/len(ids[0])][r%len(ids[0])] {
			got32 = append(got32, logits[r*vocab:(r+1)*vocab]...)
			want64 = append(want64, want[r*vocab:(r+1)*vocab]...)
		}
	}
	checkRel(t, "logits", got32, want64, tolValue)

	loss := e.NextTokenLoss(ids, mask)
	if f.Has("loss") {
		checkRel(t, "loss", []float64{loss}, floats("loss"), tolValue)
	}
	if f.Has("grad.gpt_neox.embed_in.weight") {
		e.BackwardLoss(1)
		for _, p := range m.Params() {
			checkRel(t, "grad."+p.Name, p.Value.Grad.Float32s(), floats("grad."+p.Name), tolGrad)
		}
	}

	var prompts, responses [][]int
	for i := 0; f.Has(fmt.Sprintf("pair.%d.prompt", i)); i++ {
		prompts = append(prompts, ints(fmt.Sprintf("pair.%d.prompt", i))[0])
		responses = append(responses, ints(fmt.Sprintf("pair.%d.response", i))[0])
	}
	if prompts == nil {
		return
	}
	pe, err := NewInference(m, len(prompts), 64)
	require.NoError(t, err)
	lp := pe.SequenceLogProbs(prompts, responses)
	for i := range responses {
		w := floats(fmt.Sprintf("pair.%d.logprobs", i))
		checkRel(t, fmt.Sprintf("pair.%d.logprobs", i), lp.PerToken[i], w, tolValue)
		var sum float64
		for _, v := range w {
			sum += v
		}
		checkRel(t, fmt.Sprintf("pair.%d sum", i), lp.Sum[i:i+1], []float64{sum}, tolValue)
	}
}
