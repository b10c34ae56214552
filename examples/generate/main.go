// Command generate continues a text prompt with a Pythia / GPT-NeoX model.
//
//	go run ./examples/generate -model DIR -prompt "The capital of France is"
//	go run ./examples/generate -model DIR -tokenizer FILE -prompt "..." \
//	    -max-new-tokens 64 -temperature 0.7 -top-p 0.9 -seed 1 -json -fast
//
// DIR is a Hugging Face checkpoint directory or a hub id in the local hub
// cache (EleutherAI/pythia-70m). Without -tokenizer it uses
// DIR/tokenizer.json if present, else ../shared/pythia/tokenizer.json beside
// the module root (or $DAA_SHARED/pythia/tokenizer.json). Decoding is greedy
// unless -temperature is positive; generation stops at the model's EOS token
// or after -max-new-tokens. It prints the prompt and its continuation, or
// with -json one object holding the prompt's ids, the new tokens, their text
// and their log-probabilities. With -fast it decodes on the fused float32
// engine (pythia/fast) instead of the autograd model: the same generation
// loop and sampler, so the same tokens, faster. -precision bf16 decodes on
// the engine from a bfloat16 copy of the weights with bfloat16 products and
// float32 sums (half the weight memory; log-probabilities move by about
// bfloat16 rounding). Errors go to stderr with exit status 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/tokenizer"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

// output is the -json form of the result.
type output struct {
	PromptIDs     []int     `json:"prompt_ids"`
	Tokens        []int     `json:"tokens"`
	Text          string    `json:"text"`
	LogProbs      []float64 `json:"logprobs"`       // under the sampling distribution
	ModelLogProbs []float64 `json:"model_logprobs"` // under the model
	StoppedAtEOS  bool      `json:"stopped_at_eos"`
}

// run parses the command line, generates and writes the result to stdout.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("model", "", "checkpoint directory, or a hub id in the local hub cache")
	tokPath := fs.String("tokenizer", "", "tokenizer.json (default: DIR/tokenizer.json, else ../shared/pythia/tokenizer.json)")
	prompt := fs.String("prompt", "", "text to continue")
	maxNew := fs.Int("max-new-tokens", 32, "largest number of tokens to generate")
	temp := fs.Float64("temperature", 0, "sampling temperature; 0 decodes greedily")
	topK := fs.Int("top-k", 0, "sample from the k most likely tokens only (0: all)")
	topP := fs.Float64("top-p", 1, "sample from the smallest set of tokens with this total probability (1: all)")
	seed := fs.Uint64("seed", 0, "random seed")
	asJSON := fs.Bool("json", false, "print a JSON object instead of text")
	useFast := fs.Bool("fast", false, "decode with the fused float32 engine (pythia/fast)")
	precision := fs.String("precision", "float32", "engine products: float32, or bf16 (the engine on a bfloat16 copy of the weights, float32 sums; implies -fast)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\nusage: generate -model DIR [-tokenizer FILE] -prompt TEXT [-max-new-tokens N] [-temperature T] [-top-k K] [-top-p P] [-seed S] [-json] [-fast] [-precision bf16]", err)
	}
	if *dir == "" || *prompt == "" {
		return errors.New("-model and -prompt are required")
	}
	tok, err := loadTokenizer(*tokPath, *dir)
	if err != nil {
		return err
	}
	m, err := pythia.Load(*dir, pythia.LoadOptions{})
	if err != nil {
		return err
	}
	ids := tok.Encode(*prompt)
	if len(ids) == 0 {
		return errors.New("the prompt encodes to no tokens")
	}
	opts := pythia.GenerateOptions{
		SampleOptions: pythia.SampleOptions{Temperature: *temp, TopK: *topK, TopP: *topP},
		MaxNewTokens:  *maxNew,
		Seed:          *seed,
	}
	if m.Config.EOSTokenID >= 0 {
		opts.StopTokens = []int{m.Config.EOSTokenID}
	}
	generate, err := generator(m, *precision, *useFast, len(ids)+*maxNew) // precision.go
	if err != nil {
		return err
	}
	g, err := generate([][]int{ids}, opts)
	if err != nil {
		return err
	}
	text, err := tok.Decode(g.Tokens[0])
	if err != nil {
		return fmt.Errorf("decoding the generated tokens: %w (is the tokenizer the model's?)", err)
	}
	if !*asJSON {
		_, err := fmt.Fprintf(stdout, "%s%s\n", *prompt, text)
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(output{ids, g.Tokens[0], text, g.LogProbs[0], g.ModelLogProbs[0], g.Stopped[0]})
}

// loadTokenizer loads path, else DIR/tokenizer.json, else the shared
// GPT-NeoX tokenizer.
func loadTokenizer(path, dir string) (*tokenizer.Tokenizer, error) {
	if path == "" {
		path = filepath.Join(dir, "tokenizer.json")
		if _, err := os.Stat(path); err != nil {
			shared, ok := shareddata.Dir()
			path = filepath.Join(shared, "pythia", "tokenizer.json")
			if _, err := os.Stat(path); !ok || err != nil {
				return nil, errors.New("no -tokenizer given, no tokenizer.json in the model directory, and ../shared/pythia/tokenizer.json was not found")
			}
		}
	}
	return tokenizer.Load(path)
}
