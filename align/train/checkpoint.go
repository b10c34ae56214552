package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/daalab/daa/nn"
)

// A checkpoint is a directory checkpoint-<step> in the output directory:
//
//	config.json, model.safetensors   the policy, in Hugging Face layout (pythia.Model.Save)
//	optimizer.safetensors             the optimizer state (nn/optim's Save format)
//	trainer_state.json                step, examples, data order and generator state, log history
//	reference/                        the reference model, when TR-DPO updates it
//	(extra files)                     Trainer.ExtraFiles, e.g. tokenizer.json
//
// The file LATEST in the output directory names the newest complete
// checkpoint. Both are written atomically (writeDirAtomic, then LATEST by
// temporary file and rename), so LATEST never names a partial directory.

// Names of the files of a checkpoint and the output directory.
const (
	LatestFile      = "LATEST"
	OptimizerFile   = "optimizer.safetensors"
	StateFile       = "trainer_state.json"
	ReferenceSubdir = "reference"
	stateFormat     = "daa.train/v1"
)

// checkpointName matches the names of checkpoint directories.
var checkpointName = regexp.MustCompile(`^checkpoint-([0-9]+)$`)

// trainerState is trainer_state.json.
type trainerState struct {
	Format   string     `json:"format"`
	Step     int        `json:"step"`
	Examples int        `json:"examples"`
	Epoch    float64    `json:"epoch"` // for people; the order holds the exact position
	Order    orderState `json:"data_order"`
	// LastEval is the examples count of the latest evaluation, -1 before
	// the first.
	LastEval int `json:"last_eval_examples"`
	// TrainDataHash identifies the training sequences (dataHash): a resumed
	// run must train on the same ones.
	TrainDataHash string `json:"train_data_hash"`
	// NumTokens counts the tokens of the training examples seen (SFT's
	// num_tokens metric).
	NumTokens int      `json:"num_tokens,omitempty"`
	Config    Config   `json:"config"`
	History   []Record `json:"log_history"`
}

// LatestCheckpoint returns the checkpoint directory that outDir/LATEST
// names, or "" when outDir has no LATEST file. It returns an error if LATEST
// cannot be read, holds anything but a checkpoint-<step> name, or names a
// directory without a trainer state.
func LatestCheckpoint(outDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(outDir, LatestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("train: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if !checkpointName.MatchString(name) {
		return "", fmt.Errorf("train: %s holds %q, not a checkpoint-<step> name", filepath.Join(outDir, LatestFile), name)
	}
	dir := filepath.Join(outDir, name)
	if _, err := os.Stat(filepath.Join(dir, StateFile)); err != nil {
		return "", fmt.Errorf("train: %s names %s: %w", filepath.Join(outDir, LatestFile), name, err)
	}
	return dir, nil
}

// setLatest points outDir/LATEST at the checkpoint called name.
func setLatest(outDir, name string) error {
	return writeFileAtomic(filepath.Join(outDir, LatestFile), []byte(name+"\n"))
}

// saveCheckpoint writes checkpoint-<step> atomically, points LATEST at it
// and removes checkpoints beyond KeepCheckpoints.
func (t *Trainer) saveCheckpoint() error {
	if t.cfg.DisableCheckpoints {
		t.lastSave = t.step
		return nil
	}
	st, err := t.state()
	if err != nil {
		return err
	}
	stateJSON, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("train: trainer state: %w", err)
	}
	name := "checkpoint-" + strconv.Itoa(t.step)
	err = writeDirAtomic(t.cfg.OutputDir, name, func(dir string) error {
		if err := t.savePolicy(dir); err != nil { // a LoRA policy: its adapter directory (lora.go)
			return err
		}
		if err := t.opt.Save(filepath.Join(dir, OptimizerFile)); err != nil {
			return err
		}
		if t.cfg.SyncRefModel {
			if err := t.refModel.Save(filepath.Join(dir, ReferenceSubdir)); err != nil {
				return err
			}
		}
		for name, src := range t.ExtraFiles {
			if err := copyFile(filepath.Join(dir, filepath.Base(name)), src); err != nil {
				return err
			}
		}
		return os.WriteFile(filepath.Join(dir, StateFile), append(stateJSON, '\n'), 0o644)
	})
	if err != nil {
		return err
	}
	if err := setLatest(t.cfg.OutputDir, name); err != nil {
		return err
	}
	t.lastSave = t.step
	return t.pruneCheckpoints()
}

// state returns the trainer state to save.
func (t *Trainer) state() (*trainerState, error) {
	ord, err := t.order.state()
	if err != nil {
		return nil, err
	}
	return &trainerState{
		Format: stateFormat, Step: t.step, Examples: t.examples, Epoch: t.order.epochs(), Order: ord,
		LastEval: t.lastEval, TrainDataHash: t.train.hash, NumTokens: t.numTokens, Config: t.cfg, History: t.history,
	}, nil
}

// pruneCheckpoints removes the oldest checkpoint directories beyond
// KeepCheckpoints (never the one LATEST names, which is the newest).
func (t *Trainer) pruneCheckpoints() error {
	if t.cfg.KeepCheckpoints == 0 {
		return nil
	}
	steps, err := checkpointSteps(t.cfg.OutputDir)
	if err != nil {
		return err
	}
	for len(steps) > t.cfg.KeepCheckpoints && steps[0] != t.step {
		if err := os.RemoveAll(filepath.Join(t.cfg.OutputDir, "checkpoint-"+strconv.Itoa(steps[0]))); err != nil {
			return fmt.Errorf("train: %w", err)
		}
		steps = steps[1:]
	}
	return nil
}

// checkpointSteps returns the steps of the checkpoint directories in
// outDir, ascending.
func checkpointSteps(outDir string) ([]int, error) {
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var steps []int
	for _, e := range entries {
		if m := checkpointName.FindStringSubmatch(e.Name()); m != nil && e.IsDir() {
			s, _ := strconv.Atoi(m[1])
			steps = append(steps, s)
		}
	}
	slices.Sort(steps)
	return steps, nil
}

// removeTempFiles deletes what a killed run left of files being written
// in outDir: checkpoint directories (.tmp-checkpoint-*, see
// writeDirAtomic) and the temporary files of LATEST and metrics.jsonl
// (.LATEST.tmp-*, .metrics.jsonl.tmp-*, see internal/atomicfile).
func removeTempFiles(outDir string) error {
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		stale := e.IsDir() && strings.HasPrefix(name, tempPrefix)
		for _, f := range []string{LatestFile, MetricsFile} {
			stale = stale || !e.IsDir() && strings.HasPrefix(name, "."+f+".tmp-")
		}
		if stale {
			if err := os.RemoveAll(filepath.Join(outDir, name)); err != nil {
				return fmt.Errorf("train: %w", err)
			}
		}
	}
	return nil
}

// readState reads and checks a checkpoint's trainer_state.json.
func readState(dir string) (*trainerState, error) {
	path := filepath.Join(dir, StateFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return parseState(b, path)
}

// parseState decodes a trainer state (unknown keys are errors); path
// labels errors.
func parseState(b []byte, path string) (*trainerState, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var st trainerState
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	if st.Format != stateFormat {
		return nil, fmt.Errorf("train: %s: format %q, want %q", path, st.Format, stateFormat)
	}
	return &st, nil
}

// copyWeights copies src's tensors into dst's after checking that they
// have the same names and shapes (nothing is copied otherwise); from labels
// errors.
func copyWeights(dst, src []nn.Param, from string) error {
	if err := sameParams(dst, src, from); err != nil {
		return err
	}
	for i, p := range dst {
		p.Value.Data.CopyFrom(src[i].Value.Data)
	}
	return nil
}

// sameParams returns an error naming the first parameter of src whose name
// or shape differs from dst's.
func sameParams(dst, src []nn.Param, from string) error {
	if len(dst) != len(src) {
		return fmt.Errorf("train: %s holds %d parameters, the model %d", from, len(src), len(dst))
	}
	for i, p := range dst {
		if s := src[i]; s.Name != p.Name || !slices.Equal(s.Value.Shape(), p.Value.Shape()) {
			return fmt.Errorf("train: %s: parameter %d is %s %v, the model's %s %v", from, i, s.Name, s.Value.Shape(), p.Name, p.Value.Shape())
		}
	}
	return nil
}

// copyFile copies src to dst.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("train: copying %s: %w", src, err)
	}
	return out.Close()
}
