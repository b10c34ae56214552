package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/examples/dpo/internal/tinyset"
	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// TestBF16BaseFlag runs 6 LoRA DPO steps (rank 4, dropout 0.1, an evaluation
// and a checkpoint every 3 steps) of the tiny setup with -base bf16, and the
// same run with -base f32 on a copy of the model whose weights are the
// bfloat16-rounded ones widened to float32: the adapter weights and
// metrics.jsonl of the two runs are the same bytes. -base bf16 without
// -lora_r, with -ref or -dtype float64, and an unknown -base are errors.
func TestBF16BaseFlag(t *testing.T) {
	dir := tinySetup(t)
	modelDir := filepath.Join(dir, tinyset.ModelDir)
	rounded := filepath.Join(t.TempDir(), "rounded")
	m, err := pythia.LoadDir(modelDir, pythia.LoadOptions{})
	require.NoError(t, err)
	_, w, err := pythia.LoadBF16(modelDir)
	require.NoError(t, err)
	for _, p := range m.Params() {
		f := make([]float32, len(w[p.Name]))
		half.BF16sToF32s(f, w[p.Name])
		p.Value.Data.CopyFrom(tensor.FromFloat32s(f, p.Value.Shape()...))
	}
	require.NoError(t, m.Save(rounded))

	args := func(model, out, base string) []string {
		return []string{
			"-model", model, "-tokenizer", filepath.Join(modelDir, "tokenizer.json"),
			"-data", filepath.Join(dir, tinyset.TrainFile), "-eval", filepath.Join(dir, tinyset.EvalFile),
			"-out", out, "-base", base,
			"-lora_r", "4", "-lora_alpha", "8", "-lora_dropout", "0.1",
			"-loss", "sigmoid", "-beta", "0.1", "-learning_rate", "1e-2", "-warmup_steps", "2",
			"-batch_size", "4", "-max_length", "40", "-max_prompt_length", "16",
			"-max_steps", "6", "-eval_every", "12", "-save_every", "3",
		}
	}
	bf16Out, f32Out := filepath.Join(t.TempDir(), "bf16"), filepath.Join(t.TempDir(), "f32")
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), args(modelDir, bf16Out, "bf16"), &stdout), stdout.String())
	require.NoError(t, run(context.Background(), args(rounded, f32Out, "f32"), &stdout), stdout.String())
	require.NotEmpty(t, evalRecords(t, bf16Out), "no evaluation ran")
	for _, f := range []string{filepath.Join("checkpoint-6", pythia.AdapterWeightsFile), train.MetricsFile} {
		a, err := os.ReadFile(filepath.Join(bf16Out, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(f32Out, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s differs between -base bf16 and -base f32 on the rounded weights", f)
	}

	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{[]string{"-lora_r", "0"}, "-base bf16 needs -lora_r"},
		{[]string{"-ref", modelDir}, "-base bf16 with -ref"},
		{[]string{"-dtype", "float64"}, "-base bf16 needs -dtype float32"},
		{[]string{"-base", "f16"}, `-base "f16": want f32 or bf16`},
	} {
		out := filepath.Join(t.TempDir(), "bad")
		err := run(context.Background(), append(args(modelDir, out, "bf16"), tc.extra...), &stdout)
		assert.ErrorContains(t, err, tc.want, "%v", tc.extra)
	}
}
