package train

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/daalab/daa/align"
)

// Record is one line of metrics.jsonl: the metrics of one optimizer step or
// of one evaluation, by TRL's names. Every record has
//
//	step        optimizer steps taken so far
//	examples    training pairs seen so far
//	epoch       examples / training pairs (fractional, as Hugging Face logs it)
//
// A training record adds learning_rate (the rate the step applied),
// grad_norm (the global gradient L2 norm before clipping), loss and the
// loss's metrics: rewards/chosen, rewards/rejected, rewards/accuracies
// (strict β r_w > β r_l), rewards/margins, logps/chosen, logps/rejected
// (see align.Output), logits/chosen and logits/rejected (the mean logit over
// the vocabulary and the completion tokens, pooled over the batch, as TRL
// logs them), loss-specific ones such as nll_loss, and "loss/<name>" for
// each term of a composite loss. Metrics are means over the pairs of the
// step (all its micro-batches). An evaluation record holds the same loss
// metrics over the whole eval set, each prefixed with "eval_".
type Record map[string]float64

// Keys of the bookkeeping fields of a Record.
const (
	KeyStep           = "step"
	KeyExamples       = "examples"
	KeyEpoch          = "epoch"
	KeyLearningRate   = "learning_rate"
	KeyGradNorm       = "grad_norm"
	KeyLoss           = "loss"
	KeyLogitsChosen   = "logits/chosen"
	KeyLogitsRejected = "logits/rejected"
	EvalPrefix        = "eval_"
)

// MetricsFile is the name of the metrics log in the output directory.
const MetricsFile = "metrics.jsonl"

// batchResult is the loss of one micro-batch with what its metrics need.
type batchResult struct {
	out    *align.Output
	pairs  int
	logits [2]float64 // Σ of the logits over the vocabulary and the completion tokens: chosen, rejected
	tokens [2]int     // completion tokens: chosen, rejected
}

// meter averages batch results over the pairs of a step or an evaluation.
type meter struct {
	pairs  int
	sums   map[string]float64 // Σ_k pairs_k * value_k
	logits [2]float64
	tokens [2]int
}

func (m *meter) add(r *batchResult) {
	if m.sums == nil {
		m.sums = map[string]float64{}
	}
	w := float64(r.pairs)
	m.pairs += r.pairs
	m.sums[KeyLoss] += w * r.out.Loss.Item()
	for k, v := range r.out.Metrics {
		m.sums[k] += w * v
	}
	for k, v := range r.out.Components {
		m.sums[KeyLoss+"/"+k] += w * v
	}
	for i := range 2 {
		m.logits[i] += r.logits[i]
		m.tokens[i] += r.tokens[i]
	}
}

// record returns the means, keys prefixed with prefix: logits/* pooled over
// tokens and the vocabulary of vocab entries, everything else over pairs.
func (m *meter) record(prefix string, vocab int) Record {
	rec := Record{}
	for k, s := range m.sums {
		rec[prefix+k] = s / float64(m.pairs)
	}
	for i, k := range []string{KeyLogitsChosen, KeyLogitsRejected} {
		rec[prefix+k] = m.logits[i] / (float64(m.tokens[i]) * float64(vocab))
	}
	return rec
}

// marshal returns r as one JSON line (keys sorted). A NaN or infinite
// value is an error naming its key (JSON has no such numbers).
func (r Record) marshal() ([]byte, error) {
	for _, k := range slices.Sorted(maps.Keys(r)) {
		if math.IsNaN(r[k]) || math.IsInf(r[k], 0) {
			return nil, fmt.Errorf("train: metric %s = %v at step %v cannot be logged", k, r[k], r[KeyStep])
		}
	}
	b, err := json.Marshal(map[string]float64(r))
	if err != nil {
		return nil, fmt.Errorf("train: metrics: %w", err)
	}
	return append(b, '\n'), nil
}

// writeMetricsFile replaces dir/metrics.jsonl atomically with the records
// of history (what a resumed run has logged up to its checkpoint).
func writeMetricsFile(dir string, history []Record) error {
	var data []byte
	for _, r := range history {
		line, err := r.marshal()
		if err != nil {
			return err
		}
		data = append(data, line...)
	}
	return writeFileAtomic(filepath.Join(dir, MetricsFile), data)
}

// openMetrics opens dir/metrics.jsonl for appending, creating it if needed.
func openMetrics(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return f, nil
}
