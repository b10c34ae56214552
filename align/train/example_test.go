package train_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// Train DPO on a tiny random model for two steps, then read where the
// newest checkpoint is. Real runs read the pairs with train.ReadDataset and
// a tokenizer, and load the model with pythia.LoadDir.
func Example() {
	cfg, _ := pythia.Preset("pythia-14m")
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 16, 16, 1, 2, 32
	policy, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	if err != nil {
		log.Fatal(err)
	}
	pairs := &train.Dataset{Name: "toy", Pairs: []data.TokenizedPair{
		{Prompt: []int{2, 3}, Chosen: []int{4, 5}, Rejected: []int{9}},
		{Prompt: []int{6}, Chosen: []int{4}, Rejected: []int{10, 11}},
	}}
	out, _ := os.MkdirTemp("", "dpo")
	defer os.RemoveAll(out)

	tc := train.DefaultConfig() // sigmoid (DPO), β = 0.1, RMSProp
	tc.OutputDir = out
	tc.LearningRate, tc.WarmupSteps = 1e-3, 0
	tc.BatchSize, tc.MaxSteps = 1, 2
	tc.MaxLength, tc.MaxPromptLength = 8, 4
	tr, err := train.New(tc, policy, nil, train.Data{Train: pairs, EOS: 0, Pad: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := tr.Train(context.Background()); err != nil {
		log.Fatal(err)
	}
	latest, _ := train.LatestCheckpoint(out)
	fmt.Println("steps:", tr.Step(), "examples:", tr.Examples())
	fmt.Println("newest checkpoint:", filepath.Base(latest))
	fmt.Println("first step's loss is ln 2:", fmt.Sprintf("%.4f", tr.History()[0]["loss"]))
	// Output:
	// steps: 2 examples: 2
	// newest checkpoint: checkpoint-2
	// first step's loss is ln 2: 0.6931
}
