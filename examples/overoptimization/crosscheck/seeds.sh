#!/bin/sh
# Seed spread of the recipe as written and of the no-attention-bias variant:
# SFT seeds 1-3 (saved under $OUT), DAA pair orders 1-2 on each, and lr 1e-3.
#   sh seeds.sh /tmp/xchk/data_s1.json /tmp/xchk/seeds [bias|nobias]
set -e
DATA=${1:-/tmp/xchk/data_s1.json}
OUT=${2:-/tmp/xchk/seeds}
KIND=${3:-bias}
R="/usr/bin/python3 $(dirname "$0")/recipe.py --data $DATA"
FLAG=""
[ "$KIND" = nobias ] && FLAG="--no-attn-bias"
mkdir -p "$OUT"
for s in 1 2 3; do
	sft="$OUT/sft_${KIND}_s$s"
	[ -d "$sft" ] || $R $FLAG --seed "$s" --save-sft "$sft" --label "$KIND-sft$s-order$s" --out "$OUT/$KIND-sft$s-order$s.json" 2>"$OUT/$KIND-sft$s.log" | tail -1
	for o in 1 2 3; do
		[ "$o" = "$s" ] && continue
		$R $FLAG --seed "$s" --sft-model "$sft" --dpo-seed "$o" --label "$KIND-sft$s-order$o" --out "$OUT/$KIND-sft$s-order$o.json" 2>/dev/null | tail -1
	done
	$R $FLAG --seed "$s" --sft-model "$sft" --lr 1e-3 --label "$KIND-sft$s-lr1e-3" --out "$OUT/$KIND-sft$s-lr1e-3.json" 2>/dev/null | tail -1
done
