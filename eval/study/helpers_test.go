package study

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// tinyOptions is a study small enough for a test: one objective, two betas,
// the XS model, a few dozen steps. It exercises every stage of the
// pipeline.
func tinyOptions(out string) Options {
	o := DefaultOptions()
	o.Out = out
	o.Losses, o.Betas, o.Sizes, o.Seeds, o.Seed = []string{"dpo"}, []float64{0.1, 1}, []string{"XS"}, 1, 5
	o.SFTSteps, o.SFTWarmup, o.Data.SFT, o.Data.TrainPairs, o.DAABatch = 20, 2, 400, 64, 16
	o.Data.EvalPrompts, o.Data.HeldOut, o.Checkpoints, o.Workers = 8, 8, 2, 1
	return o
}

// runTiny runs the options' shard of the synthetic study and, for an
// unsharded run, writes its report.
func runTiny(t *testing.T, o Options) []RunResult {
	t.Helper()
	require.NoError(t, o.Validate())
	task := NewSynthetic(o)
	results, err := Run(o, task, io.Discard)
	require.NoError(t, err)
	if o.NumShards <= 1 {
		_, err = WriteReport(o, task, results)
		require.NoError(t, err)
	}
	return results
}

var tiny struct {
	once sync.Once
	dir  string
}

// tinyStudy returns the output directory of the whole tiny study, run once
// per test binary and shared read-only by the tests.
func tinyStudy(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("trains the tiny study")
	}
	tiny.once.Do(func() {
		dir, err := os.MkdirTemp("", "study-tiny-")
		require.NoError(t, err)
		tiny.dir = filepath.Join(dir, "whole")
		runTiny(t, tinyOptions(tiny.dir))
	})
	require.NotEmpty(t, tiny.dir, "the tiny study failed in an earlier test")
	return tiny.dir
}

// TestMain removes the shared tiny study's directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if tiny.dir != "" {
		os.RemoveAll(filepath.Dir(tiny.dir))
	}
	os.Exit(code)
}

// copyRuns copies the run files of src/runs into dst/runs; keep selects
// them by file name.
func copyRuns(t *testing.T, src, dst string, keep func(name string) bool) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dst, "runs"), 0o755))
	files, err := filepath.Glob(filepath.Join(src, "runs", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		if !keep(filepath.Base(f)) {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, "runs", filepath.Base(f)), b, 0o644))
	}
}
