package train

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/term"
)

// TestProgress checks the two progress displays: plain lines (one per
// step and per evaluation) on a writer that is not a terminal, and a bar
// redrawn with carriage returns on one that is; and term.IsTerminal on a
// character device, a regular file and a buffer.
func TestProgress(t *testing.T) {
	cfg := tinyTrainConfig(t.TempDir())
	cfg.MaxSteps, cfg.EvalEvery = 3, 4
	tr := newTiny(t, cfg, tinyData(tinyPairs(1, 6), tinyPairs(2, 2)))
	var buf bytes.Buffer
	tr.Log = &buf
	require.NoError(t, tr.Train(context.Background()))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var steps, evals int
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "step "):
			steps++
			for _, w := range []string{"/3 ", "loss ", "running ", "acc ", "lr ", "grad_norm ", "eta "} {
				assert.Contains(t, l, w, "step line")
			}
		case strings.HasPrefix(l, "eval step "):
			evals++
		default:
			assert.Fail(t, "unexpected line", l)
		}
	}
	assert.Equal(t, 3, steps, "step lines:\n%s", buf.String())
	assert.Equal(t, 3, evals, "eval lines (before training, at 4 examples, at the end (6)):\n%s", buf.String())

	buf.Reset()
	p := newProgress(&buf, 10, 0)
	p.tty = true
	p.step(Record{KeyStep: 5, KeyLoss: 0.5})
	p.eval(Record{KeyStep: 5})
	p.step(Record{KeyStep: 6, KeyLoss: 0.25})
	p.finish()
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, "\r\x1b[K[============            ] 5/10 loss 0.5000"), "terminal display %q", out)
	assert.Contains(t, out, "6/10 loss 0.3750")
	assert.True(t, strings.HasSuffix(out, "\n"), "terminal display %q", out)

	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer dev.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer file.Close()
	assert.True(t, term.IsTerminal(dev), os.DevNull)
	assert.False(t, term.IsTerminal(file), "regular file")
	assert.False(t, term.IsTerminal(&buf), "buffer")
}

// TestAddFlags checks that every option is reachable by its JSON key and
// that -loss sets the loss specification.
func TestAddFlags(t *testing.T) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg.AddFlags(fs)
	err := fs.Parse([]string{"-loss", "sigmoid:1,sft:0.5", "-beta", "0.3", "-optimizer", "adamw", "-learning_rate", "1e-4",
		"-gradient_accumulation_steps", "4", "-seed", "9", "-sync_ref_model", "-out", "o", "-max_steps", "7"})
	require.NoError(t, err)
	assert.Equal(t, 0.3, cfg.Loss.Beta)
	assert.Equal(t, "adamw", cfg.Optimizer)
	assert.Equal(t, 1e-4, cfg.LearningRate)
	assert.Equal(t, 4, cfg.GradientAccumulationSteps)
	assert.Equal(t, uint64(9), cfg.Seed)
	assert.True(t, cfg.SyncRefModel)
	assert.Equal(t, "o", cfg.OutputDir)
	assert.Equal(t, 7, cfg.MaxSteps)
	assert.Equal(t, []string{"sigmoid", "sft"}, cfg.Loss.LossTypes)
	require.Len(t, cfg.Loss.LossWeights, 2)
	assert.Equal(t, 0.5, cfg.Loss.LossWeights[1])
	assert.NoError(t, cfg.Validate())
}
