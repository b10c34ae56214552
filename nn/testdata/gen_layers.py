#!/usr/bin/python3
"""Golden values for nn's layer tests from the independent PyTorch GPT-NeoX
reference (../shared/reference/torch/neox_ref.py, imported, not copied).

Run from the repository root:  /usr/bin/python3 nn/testdata/gen_layers.py
Writes nn/testdata/layers.safetensors (F64).
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "..", "..", "shared", "reference", "torch")
sys.path.insert(0, REF)
import neox_ref as nr  # noqa: E402
import safetensors_io as stio  # noqa: E402

torch.manual_seed(7)
f64 = torch.float64
out = {}

# Rotary tables: HF builds them in float32 (rope_dtype float32); here cast to float64.
pos = [0, 1, 2, 5, 17, 100, 2047]
cos, sin = nr.rope_tables(2048, 8, 10000, f64)
out["rope.positions"] = torch.tensor(pos, dtype=torch.int64)
out["rope.cos"] = cos[pos]
out["rope.sin"] = sin[pos]
cos, sin = nr.rope_tables(2048, 8, 10000, f64, rope_dtype=f64)  # exact float64 tables
out["rope64.cos"] = cos[pos]
out["rope64.sin"] = sin[pos]

# Causal self-attention with a right-padding mask, hidden 16, 2 heads (head_dim 8), 4 rotary dims.
cfg = nr.NeoXConfig(hidden_size=16, num_attention_heads=2, rotary_pct=0.5, intermediate_size=24, vocab_size=11)
att = nr.Attention(cfg).to(f64)
with torch.no_grad():
    for p in att.parameters():
        p.copy_(0.3 * torch.randn(p.shape, dtype=f64))
B, T = 2, 5
x = torch.randn(B, T, 16, dtype=f64, requires_grad=True)
mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None] & mask.bool()[:, None, None, :]
c, s = nr.rope_tables(T, cfg.rotary_ndims, cfg.rotary_emb_base, f64)
y = att(x, c, s, allowed)
r = torch.randn(y.shape, dtype=f64)
(y * r).sum().backward()
out["attn.x"] = x.detach()
out["attn.mask"] = mask.to(torch.int64)
out["attn.r"] = r
out["attn.cos"] = c  # torch's float32 tables (its cos/sin may differ from the correctly rounded value by 1 ulp)
out["attn.sin"] = s
out["attn.out"] = y.detach()
out["attn.grad.x"] = x.grad
for n, p in att.named_parameters():
    out["attn." + n] = p.detach()
    out["attn.grad." + n] = p.grad

# MLP with the exact and the tanh GELU.
for act in ("gelu", "gelu_new"):
    cfg.hidden_act = act
    mlp = nr.MLP(cfg).to(f64)
    with torch.no_grad():
        for p in mlp.parameters():
            p.copy_(0.3 * torch.randn(p.shape, dtype=f64))
    xm = 2 * torch.randn(2, 3, 16, dtype=f64)
    out[f"mlp.{act}.x"] = xm
    out[f"mlp.{act}.out"] = mlp(xm).detach()
    for n, p in mlp.named_parameters():
        out[f"mlp.{act}.{n}"] = p.detach()

# Token log-probs: log_softmax + gather.
logits = 3 * torch.randn(2, 3, 7, dtype=f64)
targets = torch.tensor([[0, 6, 3], [2, 2, 5]])
out["tlp.logits"] = logits
out["tlp.targets"] = targets
out["tlp.out"] = torch.log_softmax(logits, -1).gather(-1, targets[..., None])[..., 0]

stio.save_torch(os.path.join(HERE, "layers.safetensors"), out, metadata={"generator": "nn/testdata/gen_layers.py"}, dtype="F64")
print(len(out), "tensors")
