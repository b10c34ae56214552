package train

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// Resume restores the checkpoint at path, which is either a checkpoint
// directory or an output directory whose LATEST file names one, so that
// Train continues exactly (bit for bit) as the run that wrote it would
// have: the policy's weights, the optimizer state, the data order with its
// generator state, the step and example counts, the log history and, under
// TR-DPO, the reference weights. The Trainer must have been built by New
// with the same initial policy (the reference copy comes from it), the same
// training data and the same seed, batch_size and
// gradient_accumulation_steps; other options may change (more epochs,
// another learning rate).
//
// Resume also makes the output directory agree with the checkpoint:
// metrics.jsonl is rewritten with the history up to the checkpoint, the
// temporary files of an interrupted write (checkpoint directories, LATEST,
// metrics.jsonl) are removed, and when
// the checkpoint lies in OutputDir, LATEST names it. It returns an error
// naming the file or option when the checkpoint is incomplete or does not
// fit; the trainer's weights and optimizer are unchanged then. It must be
// called before Train, at most once.
func (t *Trainer) Resume(path string) error {
	if t.resumed || t.step > 0 {
		return fmt.Errorf("train: Resume after training has started or another Resume")
	}
	dir := path
	if _, err := os.Stat(filepath.Join(path, StateFile)); err != nil {
		latest, err := LatestCheckpoint(path)
		if err != nil {
			return err
		}
		if latest == "" {
			return fmt.Errorf("train: %s holds neither %s nor %s", path, StateFile, LatestFile)
		}
		dir = latest
	}
	st, err := readState(dir)
	if err != nil {
		return err
	}
	if err := t.checkResumable(dir, st); err != nil {
		return err
	}
	// Read everything before installing anything.
	saved, err := t.loadPolicyParams(dir) // a LoRA policy: its adapters (lora.go)
	if err != nil {
		return err
	}
	var ref *pythia.Model
	if t.cfg.SyncRefModel {
		if ref, err = pythia.LoadDir(filepath.Join(dir, ReferenceSubdir), pythia.LoadOptions{DType: t.policy.DType()}); err != nil {
			return fmt.Errorf("train: the reference updated by sync_ref_model: %w", err)
		}
	}
	restored := newOrder(t.order.n, t.cfg.Seed)
	if err := restored.restore(st.Order); err != nil {
		return fmt.Errorf("train: %s: %w", filepath.Join(dir, StateFile), err)
	}
	if err := sameParams(t.params, saved, dir); err != nil {
		return err
	}
	if ref != nil {
		if err := sameParams(t.refModel.Params(), ref.Params(), filepath.Join(dir, ReferenceSubdir)); err != nil {
			return err
		}
	}
	if err := t.opt.Load(filepath.Join(dir, OptimizerFile)); err != nil { // leaves the optimizer unchanged on error
		return fmt.Errorf("train: %w", err)
	}
	if err := copyWeights(t.params, saved, dir); err != nil {
		return err
	}
	if ref != nil {
		if err := copyWeights(t.refModel.Params(), ref.Params(), filepath.Join(dir, ReferenceSubdir)); err != nil {
			return err
		}
	}
	if ref != nil {
		if err := t.refreshReference(); err != nil {
			return err
		}
	}
	t.order = restored
	t.step, t.examples, t.lastEval, t.lastSave = st.Step, st.Examples, st.LastEval, st.Step
	t.numTokens = st.NumTokens
	t.history = st.History
	t.resumed = true
	return t.syncOutputDir(dir)
}

// checkResumable compares a checkpoint's state with the trainer's setup.
func (t *Trainer) checkResumable(dir string, st *trainerState) error {
	if st.TrainDataHash != t.train.hash {
		return fmt.Errorf("train: resuming %s: the training pairs (or max_length, max_prompt_length, EOS) differ from the checkpoint's (train_data_hash)", dir)
	}
	for _, f := range []struct {
		key        string
		saved, now any
	}{
		{"seed", st.Config.Seed, t.cfg.Seed},
		{"batch_size", st.Config.BatchSize, t.cfg.BatchSize},
		{"gradient_accumulation_steps", st.Config.GradientAccumulationSteps, t.cfg.GradientAccumulationSteps},
		{"optimizer", st.Config.Optimizer, t.cfg.Optimizer},
		{"sync_ref_model", st.Config.SyncRefModel, t.cfg.SyncRefModel},
		{"backend", savedBackend(st.Config, t.policy.DType()), t.backend},
		{"bf16_reference", st.Config.BF16Reference, t.cfg.BF16Reference},
		{"precision", precisionName(st.Config), precisionName(t.cfg)},
	} {
		if f.saved != f.now {
			return fmt.Errorf("train: resuming %s: %s = %v in the checkpoint, %v now; the run cannot continue identically", dir, f.key, f.saved, f.now)
		}
	}
	if st.Step < 0 || st.Examples < 0 || len(st.History) > 0 && st.History[len(st.History)-1][KeyStep] > float64(st.Step) {
		return fmt.Errorf("train: %s: inconsistent step %d, examples %d", filepath.Join(dir, StateFile), st.Step, st.Examples)
	}
	return nil
}

// syncOutputDir rewrites metrics.jsonl from the history, removes
// leftover temporary files and points LATEST at the resumed
// checkpoint when it lies in the output directory.
func (t *Trainer) syncOutputDir(checkpoint string) error {
	out := t.cfg.OutputDir
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := removeTempFiles(out); err != nil {
		return err
	}
	if err := writeMetricsFile(out, t.history); err != nil {
		return err
	}
	absOut, err1 := filepath.Abs(out)
	absParent, err2 := filepath.Abs(filepath.Dir(checkpoint))
	if err1 != nil || err2 != nil || absOut != absParent {
		return nil
	}
	latest, err := LatestCheckpoint(out)
	if err == nil && latest != "" && filepath.Base(latest) == filepath.Base(checkpoint) {
		return nil
	}
	return setLatest(out, filepath.Base(checkpoint))
}

// savedBackend returns the backend a checkpoint's run used (its Backend, or
// the default for the dtype when it was empty or is unusable now).
func savedBackend(c Config, dt tensor.DType) string {
	b, err := c.backend(dt)
	if err != nil {
		return c.Backend
	}
	return b
}
