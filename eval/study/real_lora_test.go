package study

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
)

// TestRealModeLoRA runs the tiny real-mode study with LoRA adapters (rank
// 4 on all four projections, alpha 32 so that they move the tiny model) in
// place of full fine-tuning: the same sanity checks on points.csv as the
// full run (KL 0 at the start, clearly positive at the end; implicit
// accuracy above chance), a complete summary, and the model directory the
// adapters trained on left as it was.
func TestRealModeLoRA(t *testing.T) {
	dir := t.TempDir()
	model, pairs := makeTinySet(t, dir)
	before, err := os.ReadFile(filepath.Join(model, "model.safetensors"))
	require.NoError(t, err)
	out := filepath.Join(dir, "lora")
	o, r := tinyReal(model, pairs, out)
	r.Judge = "length"
	r.LoRA = pythia.LoRAConfig{R: 4, Alpha: 32, Targets: pythia.LoRATargets}
	o.DAALR = 1e-2 // adapters start at B = 0 and move the function through B A only
	require.NoError(t, runReal(o, r))

	points, err := os.ReadFile(filepath.Join(out, "points.csv"))
	require.NoError(t, err)
	checkRealPoints(t, points)
	assert.NoError(t, VerifySummary(filepath.Join(out, "summary.json")))
	after, err := os.ReadFile(filepath.Join(model, "model.safetensors"))
	require.NoError(t, err)
	assert.Equal(t, before, after, "training adapters changed the model directory's weights")

	bad := *r
	bad.LoRA.Targets = []string{"lm_head"}
	o2, _ := tinyReal(model, pairs, filepath.Join(dir, "bad"))
	err = runReal(o2, &bad)
	assert.ErrorContains(t, err, "lm_head")
}
