package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs main itself when the test binary is re-executed as the
// command (INSPECT_AS_MAIN=1), so tests can check its exit status.
func TestMain(m *testing.M) {
	if os.Getenv("INSPECT_AS_MAIN") == "1" {
		os.Args = append([]string{"inspect"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runMain runs the command in a child process and returns its exit status
// and standard error.
func runMain(t *testing.T, args ...string) (int, string) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "INSPECT_AS_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return 0, string(out)
	}
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	return ee.ExitCode(), string(out)
}

// copyModel copies the tiny checkpoint into a fresh directory.
func copyModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join(model, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

// TestHostileModels: an oversized config and a FIFO in place of the weights
// exit with status 1 and an error naming the file and the key.
func TestHostileModels(t *testing.T) {
	huge := copyModel(t)
	cfgPath := filepath.Join(huge, "config.json")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"hidden_size": 1000000000, "num_attention_heads": 8, "num_hidden_layers": 2, "intermediate_size": 64, "vocab_size": 100}`), 0o644))
	code, stderr := runMain(t, "-model", huge, "-ids", "1,2")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, cfgPath)
	assert.Contains(t, stderr, `"hidden_size" = 1000000000; want an integer in [1, 131072]`)

	fifo := copyModel(t)
	weights := filepath.Join(fifo, "model.safetensors")
	require.NoError(t, os.Remove(weights))
	require.NoError(t, syscall.Mkfifo(weights, 0o644))
	code, stderr = runMain(t, "-model", fifo, "-ids", "1,2")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, weights+" is a named pipe (FIFO), not a regular file")
}

func TestCheckFinite(t *testing.T) {
	assert.NoError(t, checkFinite([]float64{1, -2, 3, 4}, 2))
	assert.EqualError(t, checkFinite([]float64{1, -2, 3, math.Inf(1)}, 2), "logit of token 1 at position 1 is +Inf (the model's weights or activations overflow)")
}
