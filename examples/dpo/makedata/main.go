// Command makedata writes a tiny DPO setup that needs no download, for
// trying examples/dpo, and prints the command that trains on it:
//
//	go run ./examples/dpo/makedata -out /tmp/tiny
//	go run ./examples/dpo -model /tmp/tiny/model -data /tmp/tiny/train.jsonl \
//	    -eval /tmp/tiny/eval.jsonl -out /tmp/tiny/run \
//	    -learning_rate 1e-3 -warmup_steps 10 -num_train_epochs 2 -eval_every 128
//
// That run (128 steps of 4 pairs on the default 256 pairs, about 2 s)
// leaves warmup at step 11 and takes the loss from log 2 = 0.693 to about
// 0.02 (eval_loss 0.69 -> 0.01); the trainer's default warmup of 150 steps
// suits the DPO recipe's full-size runs, not this one.
//
// OUT/model holds a random GPT-NeoX model (hidden 32, 2 layers) with a
// byte-level BPE tokenizer.json learned from the data; OUT/train.jsonl and
// OUT/eval.jsonl hold preference pairs in TRL's format whose preference is
// easy to learn. Errors go to stderr with exit status 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/daalab/daa/examples/dpo/internal/tinyset"
)

func main() {
	o := tinyset.DefaultOptions()
	out := flag.String("out", "", "directory to write (created if needed)")
	flag.IntVar(&o.TrainPairs, "pairs", o.TrainPairs, "training pairs")
	flag.IntVar(&o.EvalPairs, "eval-pairs", o.EvalPairs, "held-out pairs")
	flag.IntVar(&o.Merges, "merges", o.Merges, "BPE merges of the tokenizer")
	flag.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the pairs and the weights")
	flag.Parse()
	err := errors.New("-out is required")
	if *out != "" {
		err = tinyset.Write(*out, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "makedata:", err)
		os.Exit(1)
	}
	fmt.Println("wrote", *out)
	fmt.Println("train on it with:")
	fmt.Println(trainCommand(*out))
}

// trainCommand returns the examples/dpo command line that trains on the
// data in dir: a short warmup (10 steps) so that the run spends most of its
// two epochs at the full learning rate, and an evaluation every 128 pairs.
func trainCommand(dir string) string {
	p := func(name string) string { return shellQuote(filepath.Join(dir, name)) }
	return fmt.Sprintf("go run ./examples/dpo -model %s -data %s -eval %s -out %s \\\n"+
		"    -learning_rate 1e-3 -warmup_steps 10 -num_train_epochs 2 -eval_every 128",
		p("model"), p("train.jsonl"), p("eval.jsonl"), p("run"))
}

// shellQuote returns s, single-quoted for a POSIX shell when it holds
// anything but letters, digits and -_./:=+,
func shellQuote(s string) string {
	safe := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+,", r)
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
