#!/bin/sh
# Runs the variant table of README.md: each line changes one choice of the
# recipe; the DAA-only variants start from the PyTorch SFT model of seed 1
# (recipe.py --save-sft), the others retrain SFT. One thread per run. The
# attention-bias variants at the end use the with-bias SFT models of seeds.sh
# (in SEEDS) and run only when they exist. ONLY="name ..." runs a subset.
#   sh variants.sh /tmp/xchk/data_s1.json /tmp/xchk/sft_torch_s1 /tmp/xchk/var /tmp/xchk/seeds
set -e
DATA=${1:-/tmp/xchk/data_s1.json}
SFT=${2:-/tmp/xchk/sft_torch_s1}
OUT=${3:-/tmp/xchk/var}
SEEDS=${4:-/tmp/xchk/seeds}
ONLY=${ONLY:-}
R="/usr/bin/python3 $(dirname "$0")/recipe.py --data $DATA"
mkdir -p "$OUT"
run() { # name, args...
	name=$1
	shift
	if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $name "; then return; fi
	$R --label "$name" --out "$OUT/$name.json" "$@" 2>"$OUT/$name.log" | tail -1
}
run base-order1 --sft-model "$SFT" --dpo-seed 1
run base-order2 --sft-model "$SFT" --dpo-seed 2
run base-order3 --sft-model "$SFT" --dpo-seed 3
run no-warmup --sft-model "$SFT" --warmup 0
run loss-sum --sft-model "$SFT" --reduction sum
run eps-inside-sqrt --sft-model "$SFT" --optimizer rmsprop_eps_inside
run alpha-0.9 --sft-model "$SFT" --alpha 0.9
run centered --sft-model "$SFT" --centered
run momentum-0.9 --sft-model "$SFT" --momentum 0.9
run adam --sft-model "$SFT" --optimizer adam
run no-eos-in-sums --sft-model "$SFT" --no-eos-in-sums
run eos-padding-scored-fixed --sft-model "$SFT" --pad-eos fixed
run eos-padding-scored-batch --sft-model "$SFT" --pad-eos batch
run eval-no-stop --sft-model "$SFT" --eval-no-stop
run batch-8-pairs --sft-model "$SFT" --batch 8
run lr-1e-3 --sft-model "$SFT" --lr 1e-3
run lr-1e-3-eos-padding-batch --sft-model "$SFT" --lr 1e-3 --pad-eos batch
run sft-seed2 --seed 2
run sft-seed3 --seed 3
run sft-1000-steps --sft-steps 1000
run no-attn-bias --no-attn-bias
run sft-and-dpo-eos-padding --sft-pad-eos --pad-eos batch
run rmsprop-wd-0.01 --sft-model "$SFT" --weight-decay 0.01
run rmsprop-wd-0.1 --sft-model "$SFT" --weight-decay 0.1
run reset-optimizer-4 --sft-model "$SFT" --reset-optimizer
run reset-optimizer-8 --sft-model "$SFT" --reset-optimizer --checkpoints 8
# Which attention bias matters: DAA with the attention biases frozen, or only
# the key part of the qkv bias frozen; SFT + DAA without only one of the biases.
for s in 1 2 3; do
	[ -d "$SEEDS/sft_bias_s$s" ] || continue
	run "freeze-attn-bias-sft$s" --seed "$s" --sft-model "$SEEDS/sft_bias_s$s" --freeze-attn-bias
	run "freeze-key-bias-sft$s" --seed "$s" --sft-model "$SEEDS/sft_bias_s$s" --freeze-key-bias
done
for s in 1 2; do
	run "no-qkv-bias-sft$s" --seed "$s" --no-qkv-bias
	run "no-dense-bias-sft$s" --seed "$s" --no-dense-bias
done
