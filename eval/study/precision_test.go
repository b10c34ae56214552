package study

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrecisionOption checks that -precision reaches align/train's
// configuration of a DAA run and that an unknown name is refused.
func TestPrecisionOption(t *testing.T) {
	o := DefaultOptions()
	o.Precision = "fp8"
	assert.EqualError(t, o.Validate(), `-precision "fp8": want float32 or bf16`)
	c := &Cell{Epochs: 1, MicroBatch: 4, TrainSeq: 12, EvalRows: 16, MaxGradNorm: 10, EOS: 9}
	for range 16 {
		c.Train = append(c.Train, Pair{Prompt: []int{3, 4}, Chosen: []int{1, 9}, Rejected: []int{2, 9}})
	}
	for _, p := range []string{"", "float32", "bf16"} {
		o.Precision = p
		require.NoError(t, o.Validate(), p)
		cfg, _, err := DAAConfig(o, RunSpec{Objective: "dpo", Beta: 0.1, Size: "S", Seed: 1}, c)
		require.NoError(t, err)
		assert.Equal(t, p, cfg.Precision)
	}
}
