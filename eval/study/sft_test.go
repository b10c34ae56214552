package study

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSFTConfigPerSize checks that a size listed in SizeSFTSteps or
// SizeSFTLR gets its own steps and learning rate, and the others the
// study's.
func TestSFTConfigPerSize(t *testing.T) {
	o := DefaultOptions()
	o.SizeSFTSteps, o.SizeSFTLR = map[string]int{"L": 4000}, map[string]float64{"L": 1e-3}
	l, s := sftConfig(o, "L", 1), sftConfig(o, "S", 1)
	assert.Equal(t, 4000, l.MaxSteps)
	assert.Equal(t, 1e-3, l.LearningRate)
	assert.Equal(t, o.SFTSteps, s.MaxSteps)
	assert.Equal(t, o.SFTLR, s.LearningRate)
}
