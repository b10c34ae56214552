// Command dpo trains a Pythia / GPT-NeoX model with DPO or any other loss
// of package align on preference pairs, logging TRL's metrics and writing
// resumable checkpoints (package align/train).
//
//	go run ./examples/dpo -model DIR -data FILE.jsonl -loss sigmoid -beta 0.1 -out DIR
//	go run ./examples/dpo -model DIR -data FILE.jsonl -eval HELD_OUT.jsonl -out DIR \
//	    -loss "sigmoid:1,sft:0.5" -optimizer adamw -learning_rate 1e-6 \
//	    -lr_scheduler_type cosine -warmup_steps 150 -batch_size 4 \
//	    -gradient_accumulation_steps 8 -num_train_epochs 1 -eval_every 2000 -save_every 2000
//	go run ./examples/dpo ... -resume    # continue from OUT/LATEST, bit for bit
//
// DIR is a Hugging Face checkpoint directory (config.json and weights).
// -data and -eval are .jsonl or .parquet files of TRL preference rows
// (prompt, chosen, rejected; strings or conversations), or with -tldr the
// comparisons of OpenAI's summarize_from_feedback. Without -tokenizer it
// uses DIR/tokenizer.json if present, else ../shared/pythia/tokenizer.json
// beside the module root (or $DAA_SHARED/pythia/tokenizer.json). The
// reference is a copy of the initial model unless -ref names another
// checkpoint. With -lora_r R the policy trains LoRA adapters of rank R
// (-lora_alpha, -lora_dropout, -lora_targets) on its frozen weights, the
// reference is the model with the adapters off (no second copy), and the
// checkpoints hold PEFT adapter directories; -base bf16 then holds that
// frozen base in bfloat16 (pythia.LoadBF16, read tensor by tensor without a
// float32 copy; train.Data.BF16Base), half the memory of float32, shared by
// the policy, evaluation and reference engines. Every trainer option is a flag named by its JSON key (see
// -help); a first run refuses an -out holding another run, -resume
// continues it. SIGINT or SIGTERM stops after the current step with a
// checkpoint. -precision bf16 runs the engine's matrix products in
// bfloat16 with float32 sums (mixed precision: weights, gradients,
// optimizer state and losses stay float32).
//
// For a tiny run without any download, generate a model and data with
// examples/dpo/makedata first. Metrics go to OUT/metrics.jsonl and the
// progress to stdout (a bar on a terminal, lines otherwise); errors go to
// stderr with exit status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/internal/shareddata"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/tokenizer"
	"github.com/daalab/daa/tensor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dpo:", err)
		os.Exit(1)
	}
}

// options are the flags that are not trainer options.
type options struct {
	model, ref, tokenizer string
	data, eval            string
	evalHoldout           int
	tldr, resume          bool
	dtype                 string
	base                  string            // f32 or bf16: storage of a LoRA policy's frozen base
	lora                  pythia.LoRAConfig // R 0: full fine-tuning
	loraTargets           string
}

// run parses the command line, trains and reports where the model is.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dpo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var o options
	fs.StringVar(&o.model, "model", "", "checkpoint directory of the initial policy")
	fs.StringVar(&o.ref, "ref", "", "checkpoint directory of the reference model (default: a copy of -model)")
	fs.StringVar(&o.tokenizer, "tokenizer", "", "tokenizer.json (default: DIR/tokenizer.json, else ../shared/pythia/tokenizer.json)")
	fs.StringVar(&o.data, "data", "", "training pairs (.jsonl or .parquet)")
	fs.StringVar(&o.eval, "eval", "", "held-out pairs (.jsonl or .parquet)")
	fs.IntVar(&o.evalHoldout, "eval_holdout", 0, "without -eval, hold out the last N pairs of -data for evaluation")
	fs.BoolVar(&o.tldr, "tldr", false, "read -data and -eval as summarize_from_feedback comparisons")
	fs.BoolVar(&o.resume, "resume", false, "continue the run in -out from its LATEST checkpoint (start fresh if there is none)")
	fs.StringVar(&o.dtype, "dtype", "float32", "float32 or float64")
	fs.StringVar(&o.base, "base", "f32", "storage of the frozen base of a LoRA policy (-lora_r): f32, or bf16 (half the memory; float32 -dtype, no -ref)")
	fs.IntVar(&o.lora.R, "lora_r", 0, "LoRA rank: train adapters on a frozen base, the reference being the base (0: full fine-tuning)")
	fs.Float64Var(&o.lora.Alpha, "lora_alpha", 16, "LoRA lora_alpha (scale lora_alpha/r)")
	fs.Float64Var(&o.lora.Dropout, "lora_dropout", 0, "LoRA dropout on the adapters' input in training")
	fs.StringVar(&o.loraTargets, "lora_targets", strings.Join(pythia.LoRATargets, ","), "LoRA target_modules, comma-separated")
	cfg := train.DefaultConfig()
	cfg.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // the usage was printed
		}
		return err
	}
	if o.model == "" || o.data == "" || cfg.OutputDir == "" {
		return errors.New("-model, -data and -out are required (see -help)")
	}
	dt := tensor.Float32
	switch o.dtype {
	case "float32":
	case "float64":
		dt = tensor.Float64
	default:
		return fmt.Errorf("-dtype %q: want float32 or float64", o.dtype)
	}
	if err := checkBase(o); err != nil {
		return err
	}
	tokPath, err := tokenizerPath(o.tokenizer, o.model)
	if err != nil {
		return err
	}
	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		return err
	}
	var policy *pythia.Model
	var bf16Base pythia.BF16Weights // -base bf16: the frozen base; policy is its shape-only model
	if o.base == "bf16" {
		policy, bf16Base, err = pythia.LoadBF16(o.model)
	} else {
		policy, err = pythia.LoadDir(o.model, pythia.LoadOptions{DType: dt})
	}
	if err != nil {
		return err
	}
	if o.lora.R > 0 { // adapters initialised as PEFT does, from -seed; -resume then loads the checkpoint's
		o.lora.Targets = strings.Split(o.loraTargets, ",")
		if err := policy.AttachLoRA(o.lora, cfg.Seed); err != nil {
			return err
		}
	}
	var ref *pythia.Model
	if o.ref != "" {
		if ref, err = pythia.LoadDir(o.ref, pythia.LoadOptions{DType: dt}); err != nil {
			return err
		}
	}
	d, err := readData(o, tok)
	if err != nil {
		return err
	}
	d.EOS, d.Pad = specialTokens(tok, policy.Config)
	d.BF16Base = bf16Base
	tr, err := train.New(cfg, policy, ref, d)
	if err != nil {
		return err
	}
	tr.Log = stdout
	tr.ExtraFiles = map[string]string{"tokenizer.json": tokPath}
	for _, c := range tr.ReferenceCaches() {
		verb := "computed"
		if c.Reused {
			verb = "reused"
		}
		fmt.Fprintf(stdout, "reference log-probs of the %s pairs %s: %s\n", c.Split, verb, c.Path)
	}
	if o.resume {
		latest, err := train.LatestCheckpoint(cfg.OutputDir)
		if err != nil {
			return err
		}
		if latest == "" {
			fmt.Fprintf(stdout, "no checkpoint in %s; starting a new run\n", cfg.OutputDir)
		} else {
			if err := tr.Resume(latest); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "resumed from %s at step %d\n", latest, tr.Step())
		}
	}
	fmt.Fprintf(stdout, "training %d pairs (%d held out) for %d steps with %v\n", len(d.Train.Pairs), evalPairs(d), tr.TotalSteps(), cfg.Loss.LossTypes)
	if err := tr.Train(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("%w; a checkpoint was saved, continue with -resume", err)
		}
		return err
	}
	latest, err := train.LatestCheckpoint(cfg.OutputDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done: %d steps, %d examples; model in %s\n", tr.Step(), tr.Examples(), latest)
	return nil
}

// checkBase returns an error for an unknown -base, or -base bf16 without
// -lora_r, with -dtype float64 or with -ref (the reference is the base).
func checkBase(o options) error {
	switch {
	case o.base != "f32" && o.base != "bf16":
		return fmt.Errorf("-base %q: want f32 or bf16", o.base)
	case o.base == "f32":
		return nil
	case o.lora.R <= 0:
		return errors.New("-base bf16 needs -lora_r: a bfloat16 base is frozen, only adapters train on it")
	case o.dtype != "float32":
		return fmt.Errorf("-base bf16 needs -dtype float32 (the engine), not %s", o.dtype)
	case o.ref != "":
		return errors.New("-base bf16 with -ref: the reference is the bfloat16 base with the adapters off")
	}
	return nil
}

// readData reads and tokenizes the training and eval pairs.
func readData(o options, tok *tokenizer.Tokenizer) (train.Data, error) {
	trainSet, err := readPairs(o.data, o.tldr, tok)
	if err != nil {
		return train.Data{}, err
	}
	d := train.Data{Train: trainSet}
	switch {
	case o.eval != "":
		if d.Eval, err = readPairs(o.eval, o.tldr, tok); err != nil {
			return train.Data{}, err
		}
	case o.evalHoldout > 0:
		n := len(trainSet.Pairs)
		if o.evalHoldout >= n {
			return train.Data{}, fmt.Errorf("-eval_holdout %d leaves no training pairs of the %d in %s", o.evalHoldout, n, o.data)
		}
		d.Eval = &train.Dataset{Name: o.data + " (held out)", Pairs: trainSet.Pairs[n-o.evalHoldout:]}
		d.Train = &train.Dataset{Name: o.data, Pairs: trainSet.Pairs[:n-o.evalHoldout]}
	}
	return d, nil
}

// readPairs reads a file of preference rows, or of TL;DR comparisons.
func readPairs(path string, tldr bool, tok *tokenizer.Tokenizer) (*train.Dataset, error) {
	if !tldr {
		return train.ReadDataset(path, tok.Encode)
	}
	pairs, _, err := data.ReadTLDR(path)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("%s: no TL;DR comparisons", path)
	}
	return train.Tokenize(path, pairs, tok.Encode)
}

func evalPairs(d train.Data) int {
	if d.Eval == nil {
		return 0
	}
	return len(d.Eval.Pairs)
}

// specialTokens returns the EOS id (the tokenizer's <|endoftext|>, else
// the model's eos_token_id) and the padding id (<|padding|>, else EOS).
func specialTokens(tok *tokenizer.Tokenizer, cfg pythia.Config) (eos, pad int) {
	eos, ok := tok.EOS()
	if !ok {
		eos = max(cfg.EOSTokenID, 0)
	}
	if pad, ok = tok.Pad(); !ok || pad >= cfg.VocabSize {
		pad = eos
	}
	return eos, pad
}

// tokenizerPath returns path, else DIR/tokenizer.json, else the shared
// GPT-NeoX tokenizer.
func tokenizerPath(path, dir string) (string, error) {
	if path != "" {
		return path, nil
	}
	if p := filepath.Join(dir, "tokenizer.json"); fileExists(p) {
		return p, nil
	}
	if shared, ok := shareddata.Dir(); ok {
		if p := filepath.Join(shared, "pythia", "tokenizer.json"); fileExists(p) {
			return p, nil
		}
	}
	return "", errors.New("no -tokenizer given, no tokenizer.json in the model directory, and ../shared/pythia/tokenizer.json was not found")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
