package main

import (
	"github.com/daalab/daa/align"
	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/pythia"
)

// modelSizes are the recipe's GPT-NeoX sizes: parallel residual, untied
// embeddings, rotary on half of each head, HF initialisation N(0, 0.02).
var modelSizes = map[string]struct{ hidden, layers, heads, ffn int }{
	"XS": {16, 2, 4, 64},
	"S":  {32, 2, 4, 128}, // about 29k parameters
	"M":  {64, 2, 4, 256}, // about 105k parameters
}

// modelConfig returns the pythia configuration of a size on the task's
// 51-token vocabulary.
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
		AttentionBias:         true,
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
