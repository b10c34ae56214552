package train

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// The crash test re-executes the test binary as a training process: with
// crashChildEnv set to an output directory, TestMain runs crashChild
// instead of the tests.
const (
	crashChildEnv = "DAA_TRAIN_CRASH_CHILD"
	crashSleepEnv = "DAA_TRAIN_CRASH_SLEEP_MS" // pause after each step, so the parent can kill mid-run
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild trains the crash test's run in dir, resuming from LATEST when
// there is one: 9 pairs, 4 epochs of 5 steps, AdamW with a cosine schedule,
// an evaluation every 5 examples and a checkpoint after every step, on the
// engine backend (the float32 default, named here so that it stays so).
func crashChild(dir string) error {
	cfg := tinyTrainConfig(dir)
	cfg.Epochs, cfg.EvalEvery, cfg.SaveEvery = 4, 5, 1
	cfg.Backend = BackendEngine
	cfg.Optimizer, cfg.Scheduler = OptimizerAdamW, SchedulerCosine
	policy, err := pythia.NewRandom(tinyConfig(), tensor.Float32, 1)
	if err != nil {
		return err
	}
	tr, err := New(cfg, policy, nil, resumeData())
	if err != nil {
		return err
	}
	if latest, err := LatestCheckpoint(dir); err != nil {
		return err
	} else if latest != "" {
		if err := tr.Resume(dir); err != nil {
			return err
		}
	}
	if ms, _ := strconv.Atoi(os.Getenv(crashSleepEnv)); ms > 0 {
		tr.OnStep = func(Record) { time.Sleep(time.Duration(ms) * time.Millisecond) }
	}
	return tr.Train(context.Background())
}

// child is a training process started by the crash test.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan error
}

func startChild(t *testing.T, dir string, sleepMS int) *child {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	c := &child{cmd: exec.Command(exe, "-test.run=^$"), done: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashSleepEnv+"="+strconv.Itoa(sleepMS))
	c.cmd.Stderr = &c.stderr
	require.NoError(t, c.cmd.Start())
	go func() { c.done <- c.cmd.Wait() }()
	return c
}

// latestStep returns the step of the checkpoint LATEST names (-1 for none).
func latestStep(t *testing.T, dir string) int {
	t.Helper()
	latest, err := LatestCheckpoint(dir)
	require.NoError(t, err)
	if latest == "" {
		return -1
	}
	s, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(latest), "checkpoint-"))
	return s
}

// TestCrashResume kills training processes with SIGKILL at random moments
// after they have written a new checkpoint (checkpoints are written after
// every step, so kills land in the middle of writing one), checks after
// each kill that LATEST and every checkpoint directory are complete and
// readable, plants a half-written temporary checkpoint directory, then lets
// a last process resume from LATEST and finish. Its final model file and
// metrics.jsonl must be byte-identical to those of a run never interrupted
// (so the weights are equal bit for bit), and no temporary directory may
// remain.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts training processes")
	}
	straight := t.TempDir()
	c0 := startChild(t, straight, 0)
	require.NoError(t, <-c0.done, "uninterrupted run failed: %s", c0.stderr.String())

	dir := t.TempDir()
	rng := tensor.NewRNG(7)
	last, kills, midWrite := -1, 0, 0
	for round := 0; round < 6; round++ {
		c := startChild(t, dir, 15)
		deadline := time.Now().Add(time.Minute)
		exited := false
		for !exited && latestStep(t, dir) <= last {
			select {
			case err := <-c.done:
				require.NoError(t, err, "round %d: the training process failed:\n%s", round, c.stderr.String())
				exited = true
			case <-time.After(time.Millisecond):
			}
			if time.Now().After(deadline) {
				c.cmd.Process.Kill()
				require.FailNow(t, "no new checkpoint after a minute", "round %d", round)
			}
		}
		if exited {
			break // finished before it could be killed
		}
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
		if err := c.cmd.Process.Kill(); err == nil { // SIGKILL
			kills++
		}
		<-c.done
		if hasTempDir(t, dir) {
			midWrite++
		}
		checkOutputDir(t, dir)
		last = latestStep(t, dir)
		t.Logf("round %d: killed; LATEST is checkpoint-%d", round, last)
	}
	require.GreaterOrEqual(t, kills, 2, "processes killed mid-run: fewer, the test did not exercise a crash")

	partial := filepath.Join(dir, tempPrefix+"checkpoint-999-planted")
	require.NoError(t, os.MkdirAll(partial, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(partial, "model.safetensors"), []byte("half"), 0o644))
	cf := startChild(t, dir, 0)
	require.NoError(t, <-cf.done, "final resumed run failed: %s", cf.stderr.String())
	checkOutputDir(t, dir)
	assert.False(t, hasTempDir(t, dir), "temporary directory left after resuming")
	latest := strings.TrimSpace(readFile(t, straight, LatestFile))
	require.Equal(t, latest, strings.TrimSpace(readFile(t, dir, LatestFile)), "LATEST after resuming vs uninterrupted")
	for _, f := range []string{filepath.Join(latest, "model.safetensors"), filepath.Join(latest, OptimizerFile), MetricsFile} {
		if readFile(t, straight, f) != readFile(t, dir, f) {
			assert.Fail(t, "differs between the uninterrupted run and the killed-and-resumed one", f)
		}
	}
	t.Logf("%d kills (%d while a checkpoint was being written); resumed run equals the uninterrupted one", kills, midWrite)
}

// checkOutputDir checks that LATEST names a checkpoint and that every
// checkpoint directory is complete: the model loads, the optimizer state
// and the trainer state parse, and the state's step matches the name.
func checkOutputDir(t *testing.T, dir string) {
	t.Helper()
	require.GreaterOrEqual(t, latestStep(t, dir), 0, "no LATEST")
	steps, err := checkpointSteps(dir)
	require.NoError(t, err)
	for _, s := range steps {
		ck := filepath.Join(dir, "checkpoint-"+strconv.Itoa(s))
		_, err := pythia.LoadDir(ck, pythia.LoadOptions{})
		require.NoError(t, err, "incomplete checkpoint")
		f, err := safetensors.Open(filepath.Join(ck, OptimizerFile))
		require.NoError(t, err, "incomplete checkpoint")
		f.Close()
		st, err := readState(ck)
		require.NoError(t, err, "incomplete checkpoint")
		require.Equal(t, s, st.Step, "%s holds the state of another step", ck)
	}
}

// hasTempDir reports whether dir holds a temporary checkpoint directory.
func hasTempDir(t *testing.T, dir string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			return true
		}
	}
	return false
}
