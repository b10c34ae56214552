package train

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if err := tr.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var steps, evals int
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "step "):
			steps++
			for _, w := range []string{"/3 ", "loss ", "running ", "acc ", "lr ", "grad_norm ", "eta "} {
				if !strings.Contains(l, w) {
					t.Errorf("step line %q lacks %q", l, w)
				}
			}
		case strings.HasPrefix(l, "eval step "):
			evals++
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	if steps != 3 || evals != 3 { // before training, at 4 examples, at the end (6)
		t.Errorf("%d step lines and %d eval lines, want 3 and 3:\n%s", steps, evals, buf.String())
	}

	buf.Reset()
	p := newProgress(&buf, 10, 0)
	p.tty = true
	p.step(Record{KeyStep: 5, KeyLoss: 0.5})
	p.eval(Record{KeyStep: 5})
	p.step(Record{KeyStep: 6, KeyLoss: 0.25})
	p.finish()
	out := buf.String()
	if !strings.HasPrefix(out, "\r\x1b[K[============            ] 5/10 loss 0.5000") || !strings.Contains(out, "6/10 loss 0.3750") || !strings.HasSuffix(out, "\n") {
		t.Errorf("terminal display %q", out)
	}

	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if !term.IsTerminal(dev) || term.IsTerminal(file) || term.IsTerminal(&buf) {
		t.Errorf("isTerminal: %s %v, regular file %v, buffer %v; want true, false, false", os.DevNull, term.IsTerminal(dev), term.IsTerminal(file), term.IsTerminal(&buf))
	}
}

// TestAddFlags checks that every option is reachable by its JSON key and
// that -loss sets the loss specification.
func TestAddFlags(t *testing.T) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg.AddFlags(fs)
	err := fs.Parse([]string{"-loss", "sigmoid:1,sft:0.5", "-beta", "0.3", "-optimizer", "adamw", "-learning_rate", "1e-4",
		"-gradient_accumulation_steps", "4", "-seed", "9", "-sync_ref_model", "-out", "o", "-max_steps", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Loss.Beta != 0.3 || cfg.Optimizer != "adamw" || cfg.LearningRate != 1e-4 || cfg.GradientAccumulationSteps != 4 ||
		cfg.Seed != 9 || !cfg.SyncRefModel || cfg.OutputDir != "o" || cfg.MaxSteps != 7 ||
		strings.Join(cfg.Loss.LossTypes, ",") != "sigmoid,sft" || cfg.Loss.LossWeights[1] != 0.5 {
		t.Errorf("parsed config %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}
