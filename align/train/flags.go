package train

import "flag"

// AddFlags defines a command-line flag for every option of c on fs, named
// by its JSON key (-learning_rate, -batch_size, -max_length, ...), with c's
// current values as defaults; the loss options come from align.Config's
// AddFlags (-beta, -loss_type, -label_smoothing, -ld_alpha, ...), and -loss
// is another name for -loss_type (a loss or a weighted sum such as
// "sigmoid:1,sft:0.5").
func (c *Config) AddFlags(fs *flag.FlagSet) {
	c.Loss.AddFlags(fs)
	fs.Var(fs.Lookup("loss_type").Value, "loss", `the loss: a registered align loss or a weighted sum, "sigmoid" or "sigmoid:1,sft:0.5" (same as -loss_type)`)
	fs.BoolVar(&c.ReferenceFree, "reference_free", c.ReferenceFree, "train without a reference (R = 0)")
	fs.BoolVar(&c.PrecomputeRefLogProbs, "precompute_ref_log_probs", c.PrecomputeRefLogProbs, "score every pair under the reference once and cache the sums")
	fs.StringVar(&c.RefCacheDir, "ref_cache_dir", c.RefCacheDir, "directory of the reference log-prob cache (default OUT/ref_logps)")
	fs.BoolVar(&c.SyncRefModel, "sync_ref_model", c.SyncRefModel, "TR-DPO: move the reference towards the policy every ref_model_sync_steps steps")
	fs.Float64Var(&c.RefModelMixupAlpha, "ref_model_mixup_alpha", c.RefModelMixupAlpha, "TR-DPO: the policy's share in each reference update (1 = copy)")
	fs.IntVar(&c.RefModelSyncSteps, "ref_model_sync_steps", c.RefModelSyncSteps, "TR-DPO: optimizer steps between reference updates")
	fs.StringVar(&c.Backend, "backend", c.Backend, `"engine" (fused float32) or "autograd" (default: engine for float32, autograd for float64)`)
	fs.BoolVar(&c.BF16Reference, "bf16_reference", c.BF16Reference, "score the live reference with a bfloat16 copy of its weights (engine backend)")
	fs.StringVar(&c.Precision, "precision", c.Precision, `engine products: "float32" (default) or "bf16" (bfloat16 inputs, float32 sums; weights, gradients and losses stay float32)`)
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "rmsprop or adamw")
	fs.Float64Var(&c.LearningRate, "learning_rate", c.LearningRate, "base learning rate")
	fs.Float64Var(&c.WeightDecay, "weight_decay", c.WeightDecay, "weight decay (not on biases and LayerNorm weights)")
	fs.Float64Var(&c.AdamBeta1, "adam_beta1", c.AdamBeta1, "AdamW β1")
	fs.Float64Var(&c.AdamBeta2, "adam_beta2", c.AdamBeta2, "AdamW β2")
	fs.Float64Var(&c.AdamEpsilon, "adam_epsilon", c.AdamEpsilon, "AdamW ε")
	fs.Float64Var(&c.RMSPropAlpha, "rmsprop_alpha", c.RMSPropAlpha, "RMSProp square-average decay α")
	fs.Float64Var(&c.RMSPropEpsilon, "rmsprop_epsilon", c.RMSPropEpsilon, "RMSProp ε")
	fs.StringVar(&c.Scheduler, "lr_scheduler_type", c.Scheduler, "warmup (min(1, (k+1)/(warmup+1)), then constant), cosine, linear or constant")
	fs.IntVar(&c.WarmupSteps, "warmup_steps", c.WarmupSteps, "warmup optimizer steps")
	fs.Float64Var(&c.LRFloor, "lr_floor", c.LRFloor, "linear schedule: decay to this fraction of the learning rate instead of 0")
	fs.Float64Var(&c.MaxGradNorm, "max_grad_norm", c.MaxGradNorm, "clip the global gradient norm to this (0: no clipping)")
	fs.IntVar(&c.BatchSize, "batch_size", c.BatchSize, "pairs per forward and backward pass")
	fs.IntVar(&c.GradientAccumulationSteps, "gradient_accumulation_steps", c.GradientAccumulationSteps, "passes per optimizer step")
	fs.IntVar(&c.EvalBatchSize, "eval_batch_size", c.EvalBatchSize, "pairs per pass in evaluation and reference precomputation")
	fs.IntVar(&c.Epochs, "num_train_epochs", c.Epochs, "passes over the training pairs")
	fs.IntVar(&c.MaxSteps, "max_steps", c.MaxSteps, "optimizer steps to take (overrides num_train_epochs when > 0)")
	fs.IntVar(&c.MaxLength, "max_length", c.MaxLength, "tokens per sequence: prompt + completion + EOS")
	fs.IntVar(&c.MaxPromptLength, "max_prompt_length", c.MaxPromptLength, "prompt tokens kept (the last ones)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the data order")
	fs.IntVar(&c.EvalEvery, "eval_every", c.EvalEvery, "evaluate every this many training examples (0: at the end only)")
	fs.IntVar(&c.SaveEvery, "save_every", c.SaveEvery, "checkpoint every this many training examples (0: at the end only)")
	fs.IntVar(&c.KeepCheckpoints, "keep_checkpoints", c.KeepCheckpoints, "keep only the newest checkpoints (0: all)")
	fs.StringVar(&c.OutputDir, "out", c.OutputDir, "output directory: metrics.jsonl, checkpoint-<step>/, LATEST")
}
