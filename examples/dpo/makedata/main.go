// Command makedata writes a tiny DPO setup that needs no download, for
// trying examples/dpo:
//
//	go run ./examples/dpo/makedata -out /tmp/tiny
//	go run ./examples/dpo -model /tmp/tiny/model -data /tmp/tiny/train.jsonl \
//	    -eval /tmp/tiny/eval.jsonl -out /tmp/tiny/run -learning_rate 1e-3 -max_steps 40
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
}
