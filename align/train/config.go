package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/tensor"
)

// Config holds every option of a training run. The JSON keys follow TRL's
// DPOConfig and Hugging Face's TrainingArguments where they exist. Start from
// DefaultConfig.
type Config struct {
	// Loss configures the loss: Loss.LossTypes and Loss.LossWeights name one
	// registered align loss or a weighted sum (align.NewFromConfig), and the
	// other fields are its hyper-parameters (beta, label_smoothing, ...).
	// Unpaired losses (kto, apo_zero_unpaired) are not trained here.
	Loss align.Config `json:"loss"`
	// ReferenceFree drops the reference: R = 0 in every loss (TRL
	// reference_free=True). Losses that never read the reference (simpo,
	// orpo, nll, sft) run without one either way.
	ReferenceFree bool `json:"reference_free"`
	// PrecomputeRefLogProbs scores every pair under the reference once,
	// before training, and caches the sums on disk (see RefCacheDir) instead
	// of running the reference model at every step (TRL
	// precompute_ref_log_probs).
	PrecomputeRefLogProbs bool `json:"precompute_ref_log_probs"`
	// RefCacheDir holds the precomputed reference log-probs, one file per
	// data set and reference weights; "" means OutputDir/ref_logps.
	RefCacheDir string `json:"ref_cache_dir"`
	// SyncRefModel turns on TR-DPO: every RefModelSyncSteps optimizer steps
	// the reference moves to RefModelMixupAlpha*policy +
	// (1-RefModelMixupAlpha)*reference (align.ReferenceSync; TRL's
	// sync_ref_model, defaults 0.6 and 512).
	SyncRefModel       bool    `json:"sync_ref_model"`
	RefModelMixupAlpha float64 `json:"ref_model_mixup_alpha"`
	RefModelSyncSteps  int     `json:"ref_model_sync_steps"`

	// Backend runs the models: "engine" (package pythia/fast's fused
	// float32 engine; the default for a float32 policy), or "autograd"
	// (pythia.Model's graph; the default, and the only choice, for a
	// float64 policy). Both implement pythia.Scorer and train with the
	// same losses and metrics.
	Backend string `json:"backend"`
	// BF16Reference scores a live reference with a bfloat16 copy of its
	// weights (fast.NewInferenceBF16: half the memory); engine backend only.
	BF16Reference bool `json:"bf16_reference"`
	// Precision is the engine's product arithmetic: "float32" (or "", the
	// default) or "bf16", mixed precision (precision.go); engine backend only.
	Precision string `json:"precision"`

	// Optimizer is "rmsprop" (torch.optim.RMSprop, the DPO paper's) or
	// "adamw" (torch.optim.AdamW), both from package nn/optim.
	Optimizer    string  `json:"optimizer"`
	LearningRate float64 `json:"learning_rate"`
	// WeightDecay applies to every parameter except biases and LayerNorm
	// weights (Hugging Face's rule, optim.DecayByName): decoupled in AdamW,
	// added to the gradient in RMSProp.
	WeightDecay    float64 `json:"weight_decay"`
	AdamBeta1      float64 `json:"adam_beta1"`
	AdamBeta2      float64 `json:"adam_beta2"`
	AdamEpsilon    float64 `json:"adam_epsilon"`
	RMSPropAlpha   float64 `json:"rmsprop_alpha"`
	RMSPropEpsilon float64 `json:"rmsprop_epsilon"`
	// Scheduler multiplies the learning rate at optimizer step k (from 0):
	//
	//	warmup    min(1, (k+1)/(warmup_steps+1)), then constant: the DPO
	//	          reference code's LambdaLR (optim.LinearWarmup)
	//	cosine    Hugging Face's cosine schedule with warmup, to 0 at the last step
	//	linear    Hugging Face's linear warmup then linear decay to 0 (or LRFloor)
	//	constant  1
	Scheduler   string `json:"lr_scheduler_type"`
	WarmupSteps int    `json:"warmup_steps"`
	// LRFloor makes the linear schedule decay to LRFloor times the learning
	// rate instead of 0 (optim.LinearWarmupDecayToFloor; the study's SFT
	// recipe ends at 0.1). 0 <= LRFloor <= 1; linear schedule only.
	LRFloor float64 `json:"lr_floor"`
	// MaxGradNorm clips the global gradient L2 norm before each optimizer
	// step (optim.ClipGradNorm); 0 turns clipping off (the norm is still
	// logged as grad_norm).
	MaxGradNorm float64 `json:"max_grad_norm"`

	// BatchSize is the number of pairs in one forward and backward pass
	// (2*BatchSize sequences: chosen and rejected); one optimizer step sees
	// BatchSize*GradientAccumulationSteps pairs.
	BatchSize                 int `json:"batch_size"`
	GradientAccumulationSteps int `json:"gradient_accumulation_steps"`
	// EvalBatchSize is the number of pairs per pass in evaluation and when
	// precomputing reference log-probs.
	EvalBatchSize int `json:"eval_batch_size"`
	// Epochs is the number of passes over the training pairs; MaxSteps > 0
	// overrides it with a number of optimizer steps (continuing into further
	// epochs as needed), as in Hugging Face's Trainer.
	Epochs   int `json:"num_train_epochs"`
	MaxSteps int `json:"max_steps"`
	// MaxPromptLength keeps the last MaxPromptLength tokens of every prompt
	// (TRL's prompt truncation); MaxLength then cuts each prompt +
	// completion + EOS to its first MaxLength tokens (TRL truncation_mode
	// "keep_start"). 1 <= MaxPromptLength < MaxLength.
	MaxLength       int `json:"max_length"`
	MaxPromptLength int `json:"max_prompt_length"`
	// Seed seeds the data order: a fresh permutation of the training pairs
	// at the start of every epoch, drawn from a PCG generator.
	Seed uint64 `json:"seed"`
	// EvalEvery evaluates on the held-out pairs before training and whenever
	// the number of training examples (pairs) seen crosses a multiple of it,
	// and at the end; 0 evaluates only at the end (if there is an eval set).
	EvalEvery int `json:"eval_every"`
	// SaveEvery writes a checkpoint whenever the number of examples seen
	// crosses a multiple of it, and at the end; 0 saves only at the end.
	SaveEvery int `json:"save_every"`
	// KeepCheckpoints keeps only the newest KeepCheckpoints checkpoint
	// directories (0 keeps all).
	KeepCheckpoints int `json:"keep_checkpoints"`
	// OutputDir receives metrics.jsonl, the checkpoints and LATEST. It may
	// be empty only with DisableCheckpoints: a run in memory, whose records
	// are in History and OnStep.
	OutputDir string `json:"output_dir"`
	// DisableCheckpoints writes no checkpoint (and so cannot be resumed):
	// for many small runs evaluated in memory, through Trainer.Policy.
	DisableCheckpoints bool `json:"disable_checkpoints"`
}

// Optimizer, scheduler and reference-sync names.
const (
	OptimizerRMSProp  = "rmsprop"
	OptimizerAdamW    = "adamw"
	SchedulerWarmup   = "warmup"
	SchedulerCosine   = "cosine"
	SchedulerLinear   = "linear"
	SchedulerConstant = "constant"
)

// DefaultConfig returns the settings of the DPO reference implementation
// (eric-mitchell/direct-preference-optimization, config.yaml), which the
// DAA over-optimization paper trains with: loss sigmoid with β = 0.1
// (TRL's defaults for the loss, align.DefaultConfig), RMSProp (α 0.99,
// ε 1e-8, no weight decay) at learning rate 5e-7, warmup over 150 steps
// with min(1, (k+1)/(150+1)), gradient clipping at norm 10, batches of 4
// pairs (eval 16) without accumulation, one epoch, max_length 512,
// max_prompt_length 256, seed 0, evaluation and a checkpoint every 20000
// examples. AdamW's settings are torch's defaults (0.9, 0.999, 1e-8).
func DefaultConfig() Config {
	return Config{
		Loss:                      align.DefaultConfig(),
		RefModelMixupAlpha:        0.6,
		RefModelSyncSteps:         512,
		Optimizer:                 OptimizerRMSProp,
		LearningRate:              5e-7,
		AdamBeta1:                 0.9,
		AdamBeta2:                 0.999,
		AdamEpsilon:               1e-8,
		RMSPropAlpha:              0.99,
		RMSPropEpsilon:            1e-8,
		Scheduler:                 SchedulerWarmup,
		WarmupSteps:               150,
		MaxGradNorm:               10,
		BatchSize:                 4,
		GradientAccumulationSteps: 1,
		EvalBatchSize:             16,
		Epochs:                    1,
		MaxLength:                 512,
		MaxPromptLength:           256,
		EvalEvery:                 20000,
		SaveEvery:                 20000,
	}
}

// unpairedLosses cannot be trained on pairs.
var unpairedLosses = []string{"kto", "apo_zero_unpaired"}

// referenceFreeLosses never read the reference log-probs.
var referenceFreeLosses = []string{"simpo", "orpo", "nll", "sft"}

// usesReference reports whether the configured loss reads the reference
// log-probs: not in reference-free mode, and not when every loss of the sum
// is one of referenceFreeLosses.
func (c Config) usesReference() bool {
	if c.ReferenceFree {
		return false
	}
	for _, name := range c.Loss.LossTypes {
		if !slices.Contains(referenceFreeLosses, name) {
			return true
		}
	}
	return false
}

// Validate returns an error naming the first option (by its JSON key) that
// is out of range or inconsistent, including the loss configuration
// (align.NewFromConfig's checks).
func (c Config) Validate() error {
	if _, err := c.newLoss(); err != nil {
		return err
	}
	for _, name := range c.Loss.LossTypes {
		if slices.Contains(unpairedLosses, name) {
			return fmt.Errorf("train: loss %s is an unpaired loss; this trainer trains on preference pairs", name)
		}
	}
	positive := []struct {
		key string
		v   int
	}{{"batch_size", c.BatchSize}, {"gradient_accumulation_steps", c.GradientAccumulationSteps},
		{"eval_batch_size", c.EvalBatchSize}, {"max_length", c.MaxLength}, {"max_prompt_length", c.MaxPromptLength}}
	for _, p := range positive {
		if p.v < 1 {
			return fmt.Errorf("train: %s = %d; want >= 1", p.key, p.v)
		}
	}
	nonNegative := []struct {
		key string
		v   int
	}{{"num_train_epochs", c.Epochs}, {"max_steps", c.MaxSteps}, {"warmup_steps", c.WarmupSteps},
		{"eval_every", c.EvalEvery}, {"save_every", c.SaveEvery}, {"keep_checkpoints", c.KeepCheckpoints}}
	for _, p := range nonNegative {
		if p.v < 0 {
			return fmt.Errorf("train: %s = %d; want >= 0", p.key, p.v)
		}
	}
	if c.Epochs == 0 && c.MaxSteps == 0 {
		return fmt.Errorf("train: num_train_epochs and max_steps are both 0; nothing to train")
	}
	if c.MaxPromptLength >= c.MaxLength {
		return fmt.Errorf("train: max_prompt_length = %d, max_length = %d; want max_prompt_length < max_length so that a completion token fits", c.MaxPromptLength, c.MaxLength)
	}
	if !(c.LearningRate >= 0) || math.IsInf(c.LearningRate, 0) {
		return fmt.Errorf("train: learning_rate = %v; want a finite value >= 0", c.LearningRate)
	}
	if !(c.MaxGradNorm >= 0) {
		return fmt.Errorf("train: max_grad_norm = %v; want >= 0 (0 = no clipping)", c.MaxGradNorm)
	}
	switch c.Optimizer {
	case OptimizerRMSProp, OptimizerAdamW:
	default:
		return fmt.Errorf("train: optimizer = %q; want %q or %q", c.Optimizer, OptimizerRMSProp, OptimizerAdamW)
	}
	if !(c.LRFloor >= 0 && c.LRFloor <= 1) || c.LRFloor != 0 && c.Scheduler != SchedulerLinear {
		return fmt.Errorf("train: lr_floor = %v with lr_scheduler_type %s; want 0, or a fraction in [0, 1] with %s", c.LRFloor, c.Scheduler, SchedulerLinear)
	}
	switch c.Scheduler {
	case SchedulerWarmup, SchedulerCosine, SchedulerLinear, SchedulerConstant:
	default:
		return fmt.Errorf("train: lr_scheduler_type = %q; want %s, %s, %s or %s", c.Scheduler, SchedulerWarmup, SchedulerCosine, SchedulerLinear, SchedulerConstant)
	}
	if _, err := c.backend(tensor.Float32); err != nil {
		return err // an unknown name, or bf16_reference without the engine; the dtype is checked by New
	}
	if c.OutputDir == "" && !c.DisableCheckpoints {
		return fmt.Errorf("train: output_dir is empty")
	}
	if c.OutputDir == "" && c.PrecomputeRefLogProbs && c.RefCacheDir == "" {
		return fmt.Errorf("train: precompute_ref_log_probs without output_dir or ref_cache_dir: nowhere to cache the reference log-probs")
	}
	return c.validateReference()
}

// validateReference checks the options about the reference model.
func (c Config) validateReference() error {
	if c.SyncRefModel {
		if err := (align.ReferenceSync{Alpha: c.RefModelMixupAlpha, Every: c.RefModelSyncSteps}).Validate(); err != nil {
			return fmt.Errorf("train: sync_ref_model: %w", err)
		}
		if c.PrecomputeRefLogProbs {
			return fmt.Errorf("train: sync_ref_model with precompute_ref_log_probs: TR-DPO changes the reference, so its log-probs cannot be computed once")
		}
		if !c.usesReference() {
			return fmt.Errorf("train: sync_ref_model with a loss that uses no reference (reference_free or %v)", c.Loss.LossTypes)
		}
	}
	return nil
}

// newLoss builds the configured loss.
func (c Config) newLoss() (*align.Loss, error) {
	loss, err := align.NewFromConfig(c.Loss)
	if err != nil {
		return nil, fmt.Errorf("train: loss: %w", err)
	}
	return loss, nil
}

// stepPairs returns the number of pairs per optimizer step.
func (c Config) stepPairs() int { return c.BatchSize * c.GradientAccumulationSteps }
