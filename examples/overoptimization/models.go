package main

import (
	"github.com/daalab/daa/align"
	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/pythia"
)

// modelSizes are the recipe's GPT-NeoX sizes: parallel residual, untied
// embeddings, rotary on half of each head, HF initialisation N(0, 0.02),
// and no attention biases (see modelConfig).
var modelSizes = map[string]struct{ hidden, layers, heads, ffn int }{
	"XS": {16, 2, 4, 64},
	"S":  {32, 2, 4, 128}, // about 29k parameters
	"M":  {64, 2, 4, 256}, // about 105k parameters
}

// modelConfig returns the pythia configuration of a size on the task's
// 51-token vocabulary.
//
// The attention layers have no biases (attention_bias false; the MLP and
// LayerNorms keep theirs). The recipe's reported numbers (DPO beta 0.03:
// KL 1.55 at a quarter epoch rising to 7.44, win rate 0.403 -> 0.573 ->
// 0.468) are reproduced, in an independent PyTorch implementation and here,
// only by such a model; with Hugging Face's default attention biases the
// same recipe ends at KL 2.6-4.1 with no hump (crosscheck/README.md). The
// difference comes from the model SFT learns, not from the DAA updates.
func modelConfig(size string) pythia.Config {
	s := modelSizes[size]
	return pythia.Config{
		VocabSize:             task.VocabSize,
		HiddenSize:            s.hidden,
		NumHiddenLayers:       s.layers,
		NumAttentionHeads:     s.heads,
		IntermediateSize:      s.ffn,
		RotaryPct:             0.5,
		RotaryEmbBase:         10000,
		MaxPositionEmbeddings: task.PromptLen + task.MaxNewTokens + 8,
		LayerNormEps:          1e-5,
		UseParallelResidual:   true,
		HiddenAct:             "gelu",
		AttentionBias:         false,
		InitializerRange:      0.02,
		BOSTokenID:            -1,
		EOSTokenID:            task.EOS,
	}
}

// objectives maps the study's objective names to align's losses, all on
// Delta = (log pi_c - log ref_c) - (log pi_r - log ref_r) summed over the
// response tokens including EOS:
//
//	dpo:  -log sigmoid(beta*Delta)          (align "sigmoid")
//	ipo:  (beta*Delta - 1)^2, the paper's form (align "ipo_paper")
//	slic: max(0, 1 - beta*Delta)            (align "hinge")
var objectives = map[string]string{
	"dpo":  "sigmoid",
	"ipo":  "ipo_paper",
	"slic": "hinge",
}

// newLoss returns the configured align loss of an objective.
func newLoss(objective string, beta float64) (*align.Loss, error) {
	cfg := align.DefaultConfig()
	cfg.Beta = beta
	return align.New(objectives[objective], cfg)
}
