package train

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestConfigValidate checks that each invalid option is an error naming
// its key.
func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.BatchSize = 0 }, "batch_size"},
		{func(c *Config) { c.GradientAccumulationSteps = 0 }, "gradient_accumulation_steps"},
		{func(c *Config) { c.MaxPromptLength = c.MaxLength }, "max_prompt_length"},
		{func(c *Config) { c.Epochs, c.MaxSteps = 0, 0 }, "num_train_epochs"},
		{func(c *Config) { c.LearningRate = -1 }, "learning_rate"},
		{func(c *Config) { c.Optimizer = "sgd" }, "optimizer"},
		{func(c *Config) { c.Scheduler = "step" }, "lr_scheduler_type"},
		{func(c *Config) { c.OutputDir = "" }, "output_dir"},
		{func(c *Config) { c.Loss.LossTypes = []string{"kto"} }, "unpaired"},
		{func(c *Config) { c.Loss.LossTypes = []string{"nope"} }, "nope"},
		{func(c *Config) { c.Loss.Beta = -1 }, "beta"},
		{func(c *Config) { c.SyncRefModel, c.RefModelSyncSteps = true, 0 }, "every"},
		{func(c *Config) { c.SyncRefModel, c.PrecomputeRefLogProbs = true, true }, "precompute_ref_log_probs"},
		{func(c *Config) { c.SyncRefModel, c.ReferenceFree = true, true }, "reference_free"},
		{func(c *Config) { c.MaxGradNorm = -1 }, "max_grad_norm"},
		{func(c *Config) { c.SaveEvery = -1 }, "save_every"},
		{func(c *Config) { c.LRFloor = 0.1 }, "lr_floor"}, // the default schedule is warmup
		{func(c *Config) { c.Scheduler, c.LRFloor = SchedulerLinear, 1.5 }, "lr_floor"},
		{func(c *Config) { c.Backend = "gpu" }, "backend"},
	} {
		cfg := DefaultConfig()
		cfg.OutputDir = "out"
		tc.edit(&cfg)
		assert.ErrorContains(t, cfg.Validate(), tc.want)
	}
	cfg := DefaultConfig()
	cfg.OutputDir = "out"
	assert.NoError(t, cfg.Validate(), "DefaultConfig")
}
