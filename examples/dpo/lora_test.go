package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/examples/dpo/internal/tinyset"
	"github.com/daalab/daa/pythia"
)

// loraChildEnv, set to a JSON array of arguments, makes the test binary run
// the program with them instead of the tests: the process the LoRA crash
// test kills.
const loraChildEnv = "DAA_DPO_LORA_CHILD_ARGS"

func init() {
	raw := os.Getenv(loraChildEnv)
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(2)
	}
	if err := run(context.Background(), args, os.Stdout); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// loraArgs are the arguments of the LoRA runs: rank 4 on every projection
// with dropout 0.1, a checkpoint after every step.
func loraArgs(dir, out string) []string {
	return []string{
		"-model", filepath.Join(dir, tinyset.ModelDir), "-data", filepath.Join(dir, tinyset.TrainFile),
		"-eval", filepath.Join(dir, tinyset.EvalFile), "-out", out,
		"-lora_r", "4", "-lora_alpha", "8", "-lora_dropout", "0.1",
		"-loss", "sigmoid", "-beta", "0.1", "-learning_rate", "1e-2", "-warmup_steps", "2",
		"-batch_size", "4", "-max_length", "40", "-max_prompt_length", "16",
		"-max_steps", "30", "-eval_every", "40", "-save_every", "1",
	}
}

// latestStep returns the step of out's LATEST checkpoint, -1 without one.
func latestStep(t *testing.T, out string) int {
	b, err := os.ReadFile(filepath.Join(out, train.LatestFile))
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(string(b)), "checkpoint-"))
	require.NoError(t, err, "LATEST holds %q", b)
	return n
}

// TestLoRAResumesAfterSIGKILL runs a LoRA DPO run (adapters with dropout on
// the tiny model, the reference being the base) straight through, and again
// in processes killed with SIGKILL after checkpoints and resumed with
// -resume: the final adapter, optimizer state and metrics are the same
// bytes. The checkpoints are PEFT adapter directories that load onto the
// base, and training moved the adapters.
func TestLoRAResumesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts training processes")
	}
	dir := tinySetup(t)
	straight := filepath.Join(t.TempDir(), "straight")
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), loraArgs(dir, straight), &stdout), stdout.String())

	exe, err := os.Executable()
	require.NoError(t, err)
	killed := filepath.Join(t.TempDir(), "killed")
	kills := 0
	for round, killAfter := range []int{3, 12, -1} {
		args := loraArgs(dir, killed)
		if round > 0 {
			args = append(args, "-resume")
		}
		raw, err := json.Marshal(args)
		require.NoError(t, err)
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), loraChildEnv+"="+string(raw))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killAfter < 0 {
			require.NoError(t, <-done, "final resumed run: %s", stderr.String())
			break
		}
		deadline := time.Now().Add(2 * time.Minute)
		for latestStep(t, killed) < killAfter && time.Now().Before(deadline) {
			select {
			case err := <-done:
				require.FailNow(t, "the run ended before it could be killed", "round %d: %v %s", round, err, stderr.String())
			case <-time.After(time.Millisecond):
			}
		}
		require.NoError(t, cmd.Process.Kill()) // SIGKILL
		<-done
		kills++
		t.Logf("round %d: killed at LATEST checkpoint-%d", round, latestStep(t, killed))
	}
	require.Equal(t, 2, kills)

	latest, err := train.LatestCheckpoint(straight)
	require.NoError(t, err)
	require.Equal(t, "checkpoint-30", filepath.Base(latest))
	for _, f := range []string{
		filepath.Join("checkpoint-30", pythia.AdapterWeightsFile), filepath.Join("checkpoint-30", pythia.AdapterConfigFile),
		filepath.Join("checkpoint-30", train.OptimizerFile), train.MetricsFile,
	} {
		a, err := os.ReadFile(filepath.Join(straight, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(killed, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s differs between the uninterrupted run and the killed-and-resumed one", f)
	}

	base, err := pythia.LoadDir(filepath.Join(dir, tinyset.ModelDir), pythia.LoadOptions{})
	require.NoError(t, err)
	_, err = base.LoadAdapter(latest)
	require.NoError(t, err, "the checkpoint is not a PEFT adapter directory")
	moved := false
	for _, p := range base.LoRAParams() {
		if strings.HasSuffix(p.Name, "lora_B.weight") {
			for _, v := range p.Value.Data.Float32s() {
				moved = moved || v != 0
			}
		}
	}
	assert.True(t, moved, "every lora_B is still zero after 30 steps")
	_, err = os.Stat(filepath.Join(latest, "model.safetensors"))
	assert.True(t, os.IsNotExist(err), "a LoRA checkpoint holds the whole model")
}
