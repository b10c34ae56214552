package train

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// TestConcurrentInMemoryRuns trains four in-memory runs (two DPO, two SFT,
// on the engine) in goroutines at once, as a study training many small
// models does, and checks that each gives exactly (bit for bit: records
// and weights) what it gives alone.
func TestConcurrentInMemoryRuns(t *testing.T) {
	newRun := func(i int) *Trainer {
		cfg := tinyTrainConfig("")
		cfg.DisableCheckpoints, cfg.MaxSteps, cfg.EvalEvery, cfg.Seed = true, 4, 4, uint64(i)
		policy := tinyModel(t, tensor.Float32, uint64(1+i))
		var tr *Trainer
		var err error
		if i%2 == 0 {
			tr, err = New(cfg, policy, nil, tinyData(tinyPairs(61, 8), tinyPairs(62, 3)))
		} else {
			tr, err = NewSFT(cfg, policy, tinySFTData())
		}
		require.NoError(t, err)
		return tr
	}
	const n = 4
	alone := make([]*Trainer, n)
	for i := range alone {
		alone[i] = newRun(i)
		require.NoError(t, alone[i].Train(context.Background()))
	}
	together := make([]*Trainer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range together {
		together[i] = newRun(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = together[i].Train(context.Background())
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "run %d", i)
		assert.Equal(t, alone[i].History(), together[i].History(), "run %d records", i)
		assert.Empty(t, sameBits(alone[i].Policy(), together[i].Policy()), "run %d weights", i)
	}
}
