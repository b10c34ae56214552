package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/safetensors"
)

// -adapter applies a PEFT LoRA directory: the logits of row 0 of
// pythia/testdata/lora's batch (unpadded) with the adapter "all" equal the
// PyTorch reference's (pythia/testdata/lora/gen.py), and differ from the
// base's.
func TestAdapterLogits(t *testing.T) {
	const dir = "../../pythia/testdata/lora"
	f, err := safetensors.Open(dir + "/expected-all.safetensors")
	require.NoError(t, err)
	defer f.Close()
	logits, shape, err := f.Float64("logits")
	require.NoError(t, err)
	base, _, err := f.Float64("base_logits")
	require.NoError(t, err)
	row0 := shape[1] * shape[2] // [B, T, V]: row 0 is 3,17,42,5,9,33,1, all real

	for _, c := range []struct {
		dtype string
		tol   float64
	}{{"float32", 1e-5}, {"float64", 1e-12}} {
		r := runJSON(t, "-model", dir+"/model", "-adapter", dir+"/all", "-ids", "3,17,42,5,9,33,1", "-dtype", c.dtype)
		var got []float64
		for _, row := range r.Logits {
			got = append(got, row...)
		}
		assert.LessOrEqual(t, maxRelDiff(got, logits[:row0]), c.tol, c.dtype)
		assert.Greater(t, maxRelDiff(got, base[:row0]), 1e-3, "the adapter changes the logits")
	}
	err = run([]string{"-model", dir + "/model", "-adapter", dir + "/missing", "-ids", "1"}, nil)
	assert.ErrorContains(t, err, "missing/adapter_config.json")
}
