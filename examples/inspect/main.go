// Command inspect prints a Pythia / GPT-NeoX model's logits for a sequence of
// token ids and, optionally, the log-probabilities of its last tokens given
// the ones before them.
//
//	go run ./examples/inspect -model DIR -ids 5,17,3
//	go run ./examples/inspect -model DIR -ids 5,17,3,8 -response-from 2
//	go run ./examples/inspect -model DIR -adapter ADIR -ids 5,17,3
//
// DIR is a Hugging Face checkpoint directory (config.json with
// model.safetensors, sharded safetensors or pytorch_model.bin) or a hub id in
// the local hub cache, such as EleutherAI/pythia-70m@step3000. It prints one
// JSON object: "logits", one row of vocabulary-size numbers per position;
// with -response-from K also "token_logprobs", log p(ids[t] | ids[:t]) for
// t = K .. len(ids)-1, and their sum "logprob_sum". -dtype float64 computes in
// float64; -precision bf16 computes on the fused engine (pythia/fast) with
// bfloat16 matrix products and float32 sums. -adapter ADIR applies a PEFT
// LoRA adapter directory (adapter_config.json, adapter_model.safetensors)
// to the model. Errors go to stderr with exit status 1: among them a
// config.json outside pythia's bounds or too large for the machine's
// memory, a weights file that is not a regular file, and NaN or infinite
// weights or logits.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "inspect:", err)
		os.Exit(1)
	}
}

// output is the printed JSON. Logits holds [][]float32 or [][]float64 rows so
// each number prints with its dtype's shortest exact form.
type output struct {
	Logits        any       `json:"logits"`
	TokenLogProbs []float64 `json:"token_logprobs,omitempty"`
	LogProbSum    *float64  `json:"logprob_sum,omitempty"`
}

// run parses the command line, runs the model and writes the JSON to stdout.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("model", "", "checkpoint directory, or a hub id in the local hub cache")
	idList := fs.String("ids", "", "comma-separated token ids, e.g. 5,17,3")
	from := fs.Int("response-from", -1, "also score the tokens at positions K and after, each given the tokens before it")
	dtype := fs.String("dtype", "float32", "compute dtype: float32 or float64")
	adapter := fs.String("adapter", "", "PEFT LoRA adapter directory to apply to the model")
	precision := fs.String("precision", "float32", "matrix products: float32, or bf16 (the fused engine with bfloat16 inputs and float32 sums)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\nusage: inspect -model DIR -ids 5,17,3 [-adapter ADIR] [-response-from K] [-dtype float64] [-precision bf16]", err)
	}
	if *dir == "" || *idList == "" {
		return errors.New("-model and -ids are required")
	}
	ids, err := parseIDs(*idList)
	if err != nil {
		return err
	}
	opts := pythia.LoadOptions{DType: tensor.Float32}
	switch *dtype {
	case "float32":
	case "float64":
		opts.DType = tensor.Float64
	default:
		return fmt.Errorf("-dtype %q: want float32 or float64", *dtype)
	}
	m, err := pythia.Load(*dir, opts)
	if err != nil {
		return err
	}
	if *adapter != "" {
		if _, err := m.LoadAdapter(*adapter); err != nil {
			return err
		}
	}
	for i, id := range ids {
		if id < 0 || id >= m.Config.VocabSize {
			return fmt.Errorf("-ids: item %d is %d, outside the model's vocabulary [0, %d)", i, id, m.Config.VocabSize)
		}
	}
	m = m.Frozen()                                // no gradients needed
	sc, err := newScorer(m, *precision, len(ids)) // precision.go
	if err != nil {
		return err
	}
	logits := sc.logits(ids) // (1, T, V)
	if err := checkFinite(logits.ToFloat64s(), logits.Dim(2)); err != nil {
		return fmt.Errorf("model %s: %w", *dir, err)
	}
	out := output{Logits: rows(logits.Select(0, 0))}
	if *from != -1 {
		if *from < 1 || *from >= len(ids) {
			return fmt.Errorf("-response-from %d: want a position in [1, %d) so that each scored token has a context", *from, len(ids))
		}
		per, sum := sc.score(ids[:*from], ids[*from:])
		out.TokenLogProbs = per
		out.LogProbSum = &sum
	}
	return json.NewEncoder(stdout).Encode(out)
}

// checkFinite returns an error naming the position and vocabulary index of
// the first NaN or infinite logit (JSON cannot carry them); v is the
// vocabulary size.
func checkFinite(logits []float64, v int) error {
	for i, x := range logits {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("logit of token %d at position %d is %v (the model's weights or activations overflow)", i%v, i/v, x)
		}
	}
	return nil
}

// rows splits a [T, V] tensor into T rows in its own dtype.
func rows(x *tensor.Tensor) any {
	t, v := x.Dim(0), x.Dim(1)
	if x.DType() == tensor.Float32 {
		flat := x.ToFloat32s()
		out := make([][]float32, t)
		for i := range out {
			out[i] = flat[i*v : (i+1)*v]
		}
		return out
	}
	flat := x.ToFloat64s()
	out := make([][]float64, t)
	for i := range out {
		out[i] = flat[i*v : (i+1)*v]
	}
	return out
}

// parseIDs reads "1,2,3" (spaces allowed) as token ids.
func parseIDs(s string) ([]int, error) {
	var ids []int
	for i, f := range strings.Split(s, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-ids: item %d %q is not an integer id", i, f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
