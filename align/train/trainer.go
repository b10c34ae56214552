package train

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
)

// Data is what a Trainer trains and evaluates on.
type Data struct {
	Train *Dataset // the training pairs; at least one
	Eval  *Dataset // held-out pairs; nil or empty for none
	EOS   int      // appended to every completion (the tokenizer's <|endoftext|>)
	Pad   int      // fills padding positions (they are masked; any valid id)
	// BF16Base, if not nil, is the frozen base of a LoRA policy in
	// bfloat16 by Hugging Face name (pythia.LoadBF16, NewRandomBF16): the
	// policy is then that call's shape-only model with adapters attached
	// (AttachLoRA, LoadAdapter), and the policy, evaluation and
	// adapters-off reference engines all read these bits (one copy of the
	// base). Engine backend and LoRA only; see checkBF16Base in lora.go
	// for what it cannot be combined with.
	BF16Base pythia.BF16Weights
}

// split is one data set as the trainer uses it.
type split struct {
	name string       // "train" or "eval"
	set  *Dataset     // with prompts truncated to max_prompt_length
	hash string       // dataHash of the truncated pairs and the collation settings
	ref  *refLogProbs // precomputed reference sums, or nil
}

// Trainer trains a policy with a DAA loss on preference pairs. Build one
// with New, optionally Resume a checkpoint, then Train. A Trainer is not
// safe for concurrent use.
type Trainer struct {
	// Log receives the progress: a bar with the running loss and the ETA,
	// redrawn in place, when it is a terminal (an *os.File that is a
	// character device); one plain line per step and per evaluation
	// otherwise. Nil is silent.
	Log io.Writer
	// OnStep, when set, is called with each optimizer step's record, after
	// that step's evaluation and checkpoint (if any).
	OnStep func(Record)
	// OnPreOptimizerStep, when set, is called at every optimizer step with
	// the gradients in place, before clipping and the update (StepInfo,
	// hooks.go).
	OnPreOptimizerStep func(StepInfo)
	// ExtraFiles maps file names to source paths: each source is copied
	// under its name into every checkpoint directory, e.g.
	// {"tokenizer.json": path}, so that each checkpoint is a complete model
	// directory.
	ExtraFiles map[string]string

	cfg         Config
	loss        *align.Loss
	policy      *pythia.Model
	params      []nn.Param
	sft         bool               // supervised fine-tuning (NewSFT) instead of preference pairs
	numTokens   int                // SFT: tokens (prompt and completion) of the training examples seen
	backend     string             // BackendEngine or BackendAutograd
	trainSc     pythia.Scorer      // scores the policy with gradients
	evalSc      pythia.Scorer      // scores the policy without; made on first use
	refModel    *pythia.Model      // the reference's weights; nil when the loss runs without a live reference
	refSc       pythia.Scorer      // scores refModel without gradients
	bf16Base    pythia.BF16Weights // Data.BF16Base: the LoRA policy's frozen base, or nil
	widening    *fast.Engine       // with bf16Base, the engine whose widening buffer the others share
	collator    data.Collator
	train, eval split
	opt         optim.Optimizer
	order       *order
	total       int // optimizer steps of the whole run

	step, examples int
	lastEval       int // examples at the latest evaluation, -1 before the first
	lastSave       int // step of the newest checkpoint, -1 before the first
	resumed        bool
	history        []Record
	metrics        *os.File
}

// New returns a Trainer for policy, whose weights it updates in place.
//
// reference is the reference model. Nil means a copy of policy's initial
// weights (TRL's default); a given reference must have policy's dtype and
// vocabulary and must not share its weight tensors, and under TR-DPO
// (SyncRefModel) it must have policy's shapes and is updated in place. No
// reference is kept for reference-free training, and with
// PrecomputeRefLogProbs it is used once, before New returns, to fill or
// read the cache of reference log-probs of the train and eval pairs.
//
// It returns an error naming the option, data set, pair or field when the
// configuration is invalid (Config.Validate), the training set is empty, a
// token id is outside the vocabulary, the reference does not fit, or the
// cache cannot be read or written.
func New(cfg Config, policy, reference *pythia.Model, d Data) (*Trainer, error) {
	t, err := newTrainer(cfg, policy, d, false)
	if err != nil {
		return nil, err
	}
	if err := t.setReference(reference); err != nil {
		return nil, err
	}
	if cfg.PrecomputeRefLogProbs && cfg.usesReference() {
		if err := t.precomputeReference(); err != nil {
			return nil, err
		}
	}
	return t, t.finishNew()
}

// newTrainer checks the configuration and the data and sets up what every
// trainer has: the splits, the data order and the step count; sft marks a
// supervised fine-tuning run (d's pairs hold the completions as Chosen).
func newTrainer(cfg Config, policy *pythia.Model, d Data, sft bool) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	loss, _ := cfg.newLoss() // validated
	if d.Train == nil || len(d.Train.Pairs) == 0 {
		return nil, fmt.Errorf("train: no training examples")
	}
	vocab := policy.Config.VocabSize
	for _, tok := range []struct {
		name string
		id   int
	}{{"EOS", d.EOS}, {"Pad", d.Pad}} {
		if tok.id < 0 || tok.id >= vocab {
			return nil, fmt.Errorf("train: %s token id %d outside the model's vocabulary [0, %d)", tok.name, tok.id, vocab)
		}
	}
	t := &Trainer{
		cfg: cfg, loss: loss, policy: policy, params: trainableParams(policy), sft: sft,
		collator: data.Collator{MaxLength: cfg.MaxLength, EOS: d.EOS, Pad: d.Pad},
		lastEval: -1, lastSave: -1,
	}
	var err error
	if t.backend, err = cfg.backend(policy.DType()); err != nil {
		return nil, err
	}
	t.bf16Base = d.BF16Base
	if err := t.checkBF16Base(); err != nil { // lora.go
		return nil, err
	}
	if t.train, err = newSplit("train", d.Train, cfg, d.EOS, vocab); err != nil {
		return nil, err
	}
	if d.Eval != nil && len(d.Eval.Pairs) > 0 {
		if t.eval, err = newSplit("eval", d.Eval, cfg, d.EOS, vocab); err != nil {
			return nil, err
		}
	}
	t.order = newOrder(len(t.train.set.Pairs), cfg.Seed)
	t.total = cfg.MaxSteps
	if t.total == 0 {
		n, k := len(t.train.set.Pairs), cfg.stepPairs()
		t.total = cfg.Epochs * ((n + k - 1) / k)
	}
	return t, nil
}

// finishNew makes the optimizer and the policy's scorer.
func (t *Trainer) finishNew() error {
	var err error
	if t.opt, err = newOptimizer(t.cfg, t.params, t.total); err != nil {
		return err
	}
	t.trainSc, err = t.policyScorer()
	return err
}

// Policy returns the model being trained (its weights change in place at
// every step): for evaluating it in memory, e.g. from OnStep.
func (t *Trainer) Policy() *pythia.Model { return t.policy }

// newSplit checks a data set's token ids and truncates its prompts.
func newSplit(name string, d *Dataset, cfg Config, eos, vocab int) (split, error) {
	if err := d.checkIDs(vocab); err != nil {
		return split{}, err
	}
	pairs := truncatePrompts(d.Pairs, cfg.MaxPromptLength)
	return split{
		name: name,
		set:  &Dataset{Name: d.Name, Pairs: pairs},
		hash: dataHash(pairs, cfg.MaxLength, cfg.MaxPromptLength, eos),
	}, nil
}

// Config returns the trainer's configuration.
func (t *Trainer) Config() Config { return t.cfg }

// Step returns the number of optimizer steps taken.
func (t *Trainer) Step() int { return t.step }

// Examples returns the number of training pairs seen.
func (t *Trainer) Examples() int { return t.examples }

// TotalSteps returns the number of optimizer steps of the whole run.
func (t *Trainer) TotalSteps() int { return t.total }

// History returns the records logged so far (a resumed run's include those
// before its checkpoint).
func (t *Trainer) History() []Record { return slices.Clone(t.history) }

// ReferenceCaches describes the precomputed reference log-probs (empty
// unless PrecomputeRefLogProbs): for each data set, the cache file and
// whether it was reused.
func (t *Trainer) ReferenceCaches() []RefCache {
	var out []RefCache
	for _, s := range []*split{&t.train, &t.eval} {
		if s.ref != nil {
			out = append(out, s.ref.info)
		}
	}
	return out
}

// finished reports whether the run has taken all its steps (max_steps) or
// seen every pair of every epoch.
func (t *Trainer) finished() bool {
	if t.cfg.MaxSteps > 0 {
		return t.step >= t.cfg.MaxSteps
	}
	return t.order.visited() >= t.cfg.Epochs*t.order.n
}

// Train runs the training loop until the configured epochs or steps are
// done: evaluation before the first step and every EvalEvery examples,
// a metrics record per optimizer step appended to OutputDir/metrics.jsonl,
// a checkpoint every SaveEvery examples, and a final evaluation and
// checkpoint. A fresh run (no Resume) refuses an OutputDir that already
// holds a LATEST file.
//
// With DisableCheckpoints no checkpoint is written (the weights stay in
// the policy, the records in History and OnStep), and with an empty
// OutputDir nothing at all.
//
// When ctx is cancelled Train stops before the next step, writes a
// checkpoint of the current step and returns an error wrapping ctx.Err();
// Resume continues from it. Any other error (a non-finite loss or gradient
// norm, an I/O error) names the step and, where relevant, the pairs.
func (t *Trainer) Train(ctx context.Context) error {
	if t.cfg.OutputDir != "" {
		if err := t.prepareOutput(); err != nil {
			return err
		}
		f, err := openMetrics(t.cfg.OutputDir)
		if err != nil {
			return err
		}
		t.metrics = f
		defer func() {
			f.Close()
			t.metrics = nil
		}()
	}
	prog := newProgress(t.Log, t.total, t.step)
	defer prog.finish()
	hasEval := t.eval.set != nil
	if hasEval && t.lastEval < 0 && t.cfg.EvalEvery > 0 {
		if err := t.evaluateAndLog(prog); err != nil {
			return err
		}
	}
	for !t.finished() {
		if err := ctx.Err(); err != nil {
			if t.lastSave != t.step {
				if serr := t.saveCheckpoint(); serr != nil {
					return serr
				}
			}
			return fmt.Errorf("train: stopped at step %d: %w", t.step, err)
		}
		before := t.examples
		rec, err := t.trainStep()
		if err != nil {
			return err
		}
		if err := t.logRecord(rec); err != nil {
			return err
		}
		prog.step(rec)
		if hasEval && crossed(before, t.examples, t.cfg.EvalEvery) {
			if err := t.evaluateAndLog(prog); err != nil {
				return err
			}
		}
		if crossed(before, t.examples, t.cfg.SaveEvery) {
			if err := t.saveCheckpoint(); err != nil {
				return err
			}
		}
		if t.OnStep != nil {
			t.OnStep(rec)
		}
	}
	if hasEval && t.lastEval != t.examples {
		if err := t.evaluateAndLog(prog); err != nil {
			return err
		}
	}
	if t.lastSave != t.step {
		return t.saveCheckpoint()
	}
	return nil
}

// crossed reports whether a count going from before to after passed a
// multiple of every (never when every is 0).
func crossed(before, after, every int) bool {
	return every > 0 && after/every > before/every
}

// prepareOutput creates the output directory; a fresh run starts an empty
// metrics.jsonl and refuses a directory holding another run.
func (t *Trainer) prepareOutput() error {
	dir := t.cfg.OutputDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if t.resumed || t.step > 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, LatestFile)); err == nil {
		return fmt.Errorf("train: %s already holds a run (%s exists); resume it or choose another output_dir", dir, LatestFile)
	}
	return writeMetricsFile(dir, nil)
}

// logRecord appends rec to the history and to metrics.jsonl.
func (t *Trainer) logRecord(rec Record) error {
	line, err := rec.marshal()
	if err != nil {
		return err
	}
	t.history = append(t.history, rec)
	if t.metrics == nil {
		return nil // in memory only
	}
	if _, err := t.metrics.Write(line); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// evaluateAndLog evaluates, logs the record and shows it.
func (t *Trainer) evaluateAndLog(prog *progress) error {
	rec, err := t.Evaluate()
	if err != nil {
		return err
	}
	if err := t.logRecord(rec); err != nil {
		return err
	}
	t.lastEval = t.examples
	prog.eval(rec)
	return nil
}

// bookkeeping sets the step, examples and epoch fields of rec.
func (t *Trainer) bookkeeping(rec Record) {
	rec[KeyStep] = float64(t.step)
	rec[KeyExamples] = float64(t.examples)
	rec[KeyEpoch] = t.order.epochs()
}
