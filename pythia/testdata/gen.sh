#!/bin/sh
# Regenerates the tiny checkpoints and expected outputs in pythia/testdata with
# the independent PyTorch reference ../shared/reference/torch/neox_ref.py
# (Debian python3-torch 1.13; run from the repository root: sh pythia/testdata/gen.sh).
# Every model: vocab 48, hidden 16, 2 heads (head_dim 8), 2 layers, MLP 24,
# random weights with non-zero biases and LayerNorm noise (neox_ref make-tiny).
set -eu
P=/usr/bin/python3
REF=../shared/reference/torch/neox_ref.py
D=pythia/testdata
TINY="--layers 2 --hidden 16 --heads 2 --vocab 48 --inter 24 --max-pos 64"
IDS="3,17,42,5,9,33,1;40,2,2,19,47,8,30"
rm -rf $D/sharded $D/f16 $D/bf16 $D/tied $D/rotary-full $D/sequential $D/gelu-new-nobias $D/padded $D/bin

# Sharded safetensors (two shards and an index).
$P $REF make-tiny $D/sharded --seed 11 $TINY
$P $D/split_shards.py $D/sharded
$P $D/gen_expected.py $D/sharded --ids "$IDS"

# Half-precision storage: F16 and BF16 (converted exactly to float32/float64 on load).
$P $REF make-tiny $D/f16 --seed 12 $TINY --save-dtype F16
$P $D/gen_expected.py $D/f16 --ids "$IDS"
$P $REF make-tiny $D/bf16 --seed 13 $TINY --save-dtype BF16
$P $D/gen_expected.py $D/bf16 --ids "$IDS"

# Tied input and output embeddings (embed_out.weight absent from the file); gradients sum both uses.
$P $REF make-tiny $D/tied --seed 14 $TINY --tie
$P $D/gen_expected.py $D/tied --ids "$IDS" --grads

# Rotary on every feature of a head (rotary_pct 1.0).
$P $REF make-tiny $D/rotary-full --seed 15 $TINY --rotary-pct 1.0
$P $D/gen_expected.py $D/rotary-full --ids "$IDS"

# Sequential residual.
$P $REF make-tiny $D/sequential --seed 16 $TINY --sequential
$P $D/gen_expected.py $D/sequential --ids "$IDS"

# Tanh GELU and no attention biases.
$P $REF make-tiny $D/gelu-new-nobias --seed 17 $TINY --act gelu_new --no-attn-bias
$P $D/gen_expected.py $D/gelu-new-nobias --ids "$IDS"

# A right-padded batch with an attention mask: logits, masked loss and its gradients,
# per-pair response log-probs (each pair run alone, unpadded) and greedy continuations.
$P $REF make-tiny $D/padded --seed 18 $TINY --rotary-pct 0.5
$P $D/gen_expected.py $D/padded --ids "5,7,11,13,17,19,23;29,31,37,41,0,0,0;2,4,6,8,10,12,0" \
  --mask "1,1,1,1,1,1,1;1,1,1,1,0,0,0;1,1,1,1,1,1,0" --grads \
  --pairs "5,7|11,13,17;29|31,37,41;2,4,6,8|10;44,45,46|47,1,2,3,4" --greedy 6

# pytorch_model.bin (torch.save state dict with legacy buffers), no safetensors.
$P $REF make-tiny $D/bin --seed 19 $TINY
$P $D/gen_expected.py $D/bin --ids "$IDS" --bin
