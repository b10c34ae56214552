#!/usr/bin/python3
"""Expected outputs for a tiny checkpoint, from the independent PyTorch GPT-NeoX
reference ../shared/reference/torch/neox_ref.py (imported, not copied), in
float64 with float64 rotary tables (what pythia computes for a float64 model).

  gen_expected.py DIR --ids "1,2,3;4,5,6" [--mask "1,1,1;1,1,0"] [--grads]
                      [--pairs "1,2|3,4;5|6,7"] [--greedy N] [--bin]

writes DIR/expected.safetensors (F64 values, I64 ids):
  input_ids, attention_mask  [B,T]
  logits                     [B,T,V]  forward with the attention mask
  loss                       []       mean next-token cross-entropy over targets whose mask is 1
  grad.<param>                        d loss / d param           (--grads)
  pair.<i>.prompt / .response / .logprobs   per-token log p(response | prompt), each pair run alone (--pairs)
  greedy.<i>                 [N]      greedy continuation of prompt i, full forward per step (--greedy)
--bin also writes DIR/pytorch_model.bin (torch.save of the state dict with the
legacy buffers old GPT-NeoX files carry) and removes model.safetensors.
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "reference", "torch"))
import neox_ref as nr  # noqa: E402
import safetensors_io as stio  # noqa: E402

f64 = torch.float64


def rows(s):
    return [[int(x) for x in r.split(",") if x] for r in s.split(";")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--mask")
    ap.add_argument("--grads", action="store_true")
    ap.add_argument("--pairs")
    ap.add_argument("--greedy", type=int, default=0)
    ap.add_argument("--bin", action="store_true")
    a = ap.parse_args()

    m = nr.load_model(a.dir, f64, rope_dtype=f64)
    ids = torch.tensor(rows(a.ids))
    mask = torch.tensor(rows(a.mask)) if a.mask else torch.ones_like(ids)
    out = {"input_ids": ids, "attention_mask": mask}

    logits = m(ids, attention_mask=mask)
    lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None])[..., 0]
    scored = mask[:, 1:].bool()
    loss = -lp[scored].mean()
    out["logits"] = logits.detach()
    out["loss"] = loss.detach()
    if a.grads:
        loss.backward()
        for n, p in m.named_parameters():
            out["grad." + n] = p.grad
    with torch.no_grad():
        if a.pairs:
            for i, pr in enumerate(a.pairs.split(";")):
                p, r = (rows(x)[0] for x in pr.split("|"))
                out[f"pair.{i}.prompt"] = torch.tensor(p)
                out[f"pair.{i}.response"] = torch.tensor(r)
                out[f"pair.{i}.logprobs"] = nr.response_logprobs(m, p, r)
        for i in range(len(ids) if a.greedy else 0):
            seq = ids[i][mask[i].bool()].tolist()
            new = []
            for _ in range(a.greedy):
                nxt = int(m(torch.tensor(seq + new))[0, -1].argmax())
                new.append(nxt)
            out[f"greedy.{i}"] = torch.tensor(new)
    stio.save_torch(os.path.join(a.dir, "expected.safetensors"), out,
                    metadata={"generator": "pythia/testdata/gen_expected.py (see gen.sh)"}, dtype="F64")
    if a.bin:
        sd = {k: v.to(torch.float32) for k, v in m.state_dict().items()}
        L, T = m.cfg.num_hidden_layers, 16
        for i in range(L):  # legacy buffers of old GPT-NeoX files, which loaders ignore
            sd[f"gpt_neox.layers.{i}.attention.bias"] = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None]
            sd[f"gpt_neox.layers.{i}.attention.masked_bias"] = torch.tensor(-1e9)
            sd[f"gpt_neox.layers.{i}.attention.rotary_emb.inv_freq"] = 1.0 / (10000 ** (torch.arange(0, 2, 2).float() / 2))
        torch.save(sd, os.path.join(a.dir, "pytorch_model.bin"))
        os.remove(os.path.join(a.dir, "model.safetensors"))
    print(a.dir, len(out), "tensors, loss", float(loss))


if __name__ == "__main__":
    main()
