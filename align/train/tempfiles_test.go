package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResumeRemovesStaleTempFiles plants what a run killed while writing
// leaves in its output directory (a half-written checkpoint directory and
// the temporary files of LATEST and metrics.jsonl) and checks that Resume
// removes them and nothing else.
func TestResumeRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := resumeConfig(dir)
	cfg.MaxSteps = 2
	require.NoError(t, newTiny(t, cfg, resumeData()).Train(context.Background()))

	stale := []string{".tmp-checkpoint-4-123", ".LATEST.tmp-456", ".metrics.jsonl.tmp-789"}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, stale[0], "reference"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, stale[0], "model.safetensors"), []byte("partial"), 0o644))
	for _, f := range stale[1:] {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("partial"), 0o644))
	}
	kept := []string{".LATEST.bak", "notes.tmp-1", LatestFile, MetricsFile, "checkpoint-2"}
	for _, f := range kept[:2] {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("mine"), 0o644))
	}

	cfg.MaxSteps = 3
	tr := newTiny(t, cfg, resumeData())
	require.NoError(t, tr.Resume(dir))
	for _, f := range stale {
		assert.NoFileExists(t, filepath.Join(dir, f))
		assert.NoDirExists(t, filepath.Join(dir, f))
	}
	for _, f := range kept {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err, f)
	}
	require.NoError(t, tr.Train(context.Background()))
	assert.Equal(t, 3, tr.Step())
}
