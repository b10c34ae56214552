#!/usr/bin/python3
"""The over-optimization recipe, independently, in PyTorch (one thread).

Implements /work/shared/reference/overoptimization-recipe.md as written, on
the exact data of the Go example (exportdata/main.go writes it as JSON):

  model   GPT-NeoX size S (hidden 32, 2 layers, 4 heads, ffn 128, vocab 51,
          rotary_pct 0.5, parallel residual, untied, attention bias, HF init
          N(0, 0.02), zero biases, LayerNorm eps 1e-5, exact gelu), from
          neox_ref.py (the shared reference GPT-NeoX with HF semantics).
  SFT     AdamW lr 3e-3 (torch defaults otherwise: betas 0.9/0.999, eps 1e-8,
          weight decay 0.01 on every parameter), 100 warmup steps then
          linear decay to 0.1x at step 3000 (the Go example's schedule:
          step/100 while step < 100, then 0.1 + 0.9*(3000-step)/2900),
          batch 64, clip 1.0, loss = mean NLL over response tokens + EOS.
  DAA     Delta = (log pi_c - log ref_c) - (log pi_r - log ref_r), sums over
          response tokens and EOS; DPO -log sigmoid(beta*Delta), mean over
          pairs; torch.optim.RMSprop (lr 3e-4, alpha 0.99, eps 1e-8) with
          LambdaLR min(1, (step+1)/(warmup+1)), warmup 50 steps; 16 pairs per
          step, one epoch (500 steps) in a seeded random order; reference
          log-probs precomputed once.
  eval    at k/C of the epoch: 256 eval prompts x 2 samples at temperature 1,
          at most 16 new tokens, stop at EOS; KL k1 = sum over sampled
          tokens (EOS included) of log pi - log ref, k3 = sum(r - 1 - log r),
          r = ref/pi; gold win rate vs the 4 references (P(>) + 0.5 P(=)),
          standard error over prompts; mean length (tokens before EOS);
          junk; no-EOS rate; share longer than 6; implicit-reward accuracy on
          the held-out pairs. The sampling seed is the same at every
          checkpoint (common random numbers).

Variants (flags) change one stated or unstated choice at a time; see
README.md for the table they produced.

  /usr/bin/python3 recipe.py --data /tmp/xchk/data_s1.json --out /tmp/oo_recipe.json
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.environ.get("NEOX_REF_DIR", "/work/shared/reference/torch"))
import neox_ref as nx  # noqa: E402

EOS, PAD, NUM_KEYS, PROMPT_LEN, MAX_NEW = 49, 50, 16, 21, 16


# ----------------------------------------------------------------------------- gold reward
def gold_parts(keys, y):
    """recall, order_ok, junk of tokens y (no EOS): eval/study/synth/reward.go's GoldParts."""
    rank = {k: i for i, k in enumerate(keys)}
    seen, distinct, last, order = set(), 0, -1, 1.0
    for t in y:
        if t not in rank or t in seen:
            continue
        seen.add(t)
        distinct += 1
        if rank[t] < last:
            order = 0.0
        last = rank[t]
    recall = distinct / len(keys) if keys else 0.0
    return recall, order, len(y) - distinct


def gold(keys, response):
    """eval/study/synth/reward.go's Gold: response may end with EOS; tokens after the first
    EOS are ignored; -0.5 unless an EOS comes within MAX_NEW tokens."""
    ended = False
    y = response
    for i, t in enumerate(response):
        if t == EOS:
            y, ended = response[:i], i < MAX_NEW
            break
    recall, order, junk = gold_parts(keys, y)
    r = recall + 0.25 * order * recall - 0.3 * junk
    return r if ended else r - 0.5


# ----------------------------------------------------------------------------- data
def pad_responses(ys, eos=True):
    """[N, R] int64 responses (EOS appended when eos) right-padded with 0, and
    the [N, R] float mask of real tokens."""
    ys = [list(y) + ([EOS] if eos else []) for y in ys]
    R = max(1, max(len(y) for y in ys))
    ids = torch.zeros(len(ys), R, dtype=torch.long)
    mask = torch.zeros(len(ys), R)
    for i, y in enumerate(ys):
        ids[i, :len(y)] = torch.tensor(y, dtype=torch.long)
        mask[i, :len(y)] = 1
    return ids, mask


class Data:
    def __init__(self, path, eval_prompts):
        d = json.load(open(path))
        self.sft_prompts = torch.tensor([e["prompt"] for e in d["sft"]], dtype=torch.long)
        self.sft_resp, self.sft_mask = pad_responses([e["summary"] for e in d["sft"]])
        self.train = self._pairs(d["train"])
        self.held = self._pairs(d["held_out"])
        ev = d["eval"][:eval_prompts]
        self.eval_prompts = torch.tensor([e["prompt"] for e in ev], dtype=torch.long)
        self.eval_keys = [e["keys"] for e in ev]
        self.ref_rewards = [[gold(e["keys"], r + [EOS]) for r in e["references"]] for e in ev]

    @staticmethod
    def _pairs(ps):
        prompts = torch.tensor([p["prompt"] for p in ps], dtype=torch.long)
        c, cm = pad_responses([p["chosen"] for p in ps])
        r, rm = pad_responses([p["rejected"] for p in ps])
        return dict(prompts=prompts, chosen=c, chosen_mask=cm, rejected=r, rejected_mask=rm,
                    chosen_len=[len(p["chosen"]) for p in ps], rejected_len=[len(p["rejected"]) for p in ps])


# ----------------------------------------------------------------------------- model
def new_model(seed, hidden=32, layers=2, heads=4, ffn=128, attention_bias=True, drop=()):
    cfg = nx.NeoXConfig(vocab_size=51, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                        intermediate_size=ffn, rotary_pct=0.5, rotary_emb_base=10000,
                        max_position_embeddings=PROMPT_LEN + MAX_NEW + 8, layer_norm_eps=1e-5,
                        use_parallel_residual=True, tie_word_embeddings=False, hidden_act="gelu",
                        attention_bias=attention_bias, initializer_range=0.02, bos_token_id=-1, eos_token_id=EOS)
    m = nx.NeoXForCausalLM(cfg).to(torch.float32)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # Hugging Face's GPTNeoX _init_weights
        for name, p in m.named_parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
            elif "layernorm" in name or "layer_norm" in name:
                p.fill_(1.0 if name.endswith(".weight") else 0.0)
            else:
                p.zero_()
    for layer in m.gpt_neox.layers:  # variant: remove some attention biases only
        for name in drop:
            getattr(layer.attention, name).bias = None
    return m


def clone(m):
    """A trainable copy of m (deepcopy keeps variant models without some biases)."""
    c = copy.deepcopy(m)
    for p in c.parameters():
        p.requires_grad_(True)
    return c


def response_logprobs(model, prompts, resp, mask):
    """Per-token log p(resp_t | prompt, resp_<t) [B, R] (0 where mask is 0).
    Right padding needs no attention mask: causality hides it."""
    ids = torch.cat([prompts, resp], 1)
    P, R = prompts.shape[1], resp.shape[1]
    logits = model(ids)[:, P - 1:P - 1 + R]
    lp = torch.log_softmax(logits, -1).gather(-1, resp[..., None])[..., 0]
    return lp * mask


# ----------------------------------------------------------------------------- SFT
def sft_schedule(step, warmup, total, floor):
    if step < warmup:
        return step / max(1, warmup)
    return floor + (1 - floor) * max(0.0, (total - step) / max(1, total - warmup))


def train_sft(a, data, log):
    torch.manual_seed(a.seed)
    drop = (["query_key_value"] if a.no_qkv_bias else []) + (["dense"] if a.no_dense_bias else [])
    m = new_model(a.seed, attention_bias=not a.no_attn_bias, drop=drop)
    opt = torch.optim.AdamW(m.parameters(), lr=a.sft_lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: sft_schedule(s, a.sft_warmup, a.sft_steps, 0.1))
    g = torch.Generator().manual_seed(a.seed + 101)
    n = len(data.sft_prompts)
    order, pos = torch.randperm(n, generator=g), 0
    t0 = time.time()
    for step in range(a.sft_steps):
        if pos + a.sft_batch > n:
            order, pos = torch.randperm(n, generator=g), 0
        idx = order[pos:pos + a.sft_batch]
        pos += a.sft_batch
        mask, resp = data.sft_mask[idx], data.sft_resp[idx]
        if a.sft_pad_eos:
            resp, mask = eos_padded(resp, mask, "batch")
        lp = response_logprobs(m, data.sft_prompts[idx], resp, mask)
        loss = -lp.sum() / mask.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        sched.step()
        if (step + 1) % 500 == 0:
            log(f"SFT step {step + 1}: loss {loss.item():.4f} ({time.time() - t0:.0f}s)")
    m.eval()
    return m


# ----------------------------------------------------------------------------- evaluation
@torch.no_grad()
def sample(model, prompts, seed, stop_at_eos=True):
    """Temperature-1 samples [N, MAX_NEW], their log-probs under model, and
    the [N, MAX_NEW] mask of scored tokens (up to and including EOS)."""
    g = torch.Generator().manual_seed(seed)
    N = prompts.shape[0]
    ids = prompts
    toks = torch.full((N, MAX_NEW), EOS, dtype=torch.long)
    lps = torch.zeros(N, MAX_NEW)
    valid = torch.zeros(N, MAX_NEW)
    done = torch.zeros(N, dtype=torch.bool)
    for t in range(MAX_NEW):
        logp = torch.log_softmax(model(ids)[:, -1].double(), -1)
        tok = torch.multinomial(logp.exp(), 1, generator=g)[:, 0]
        live = ~done
        toks[:, t] = torch.where(live, tok, toks[:, t])
        lps[:, t] = torch.where(live, logp.gather(-1, tok[:, None])[:, 0].float(), lps[:, t])
        valid[:, t] = live.float()
        if stop_at_eos:
            done = done | (tok == EOS)
        if bool(done.all()):
            break
        ids = torch.cat([ids, toks[:, t:t + 1]], 1)
    return toks, lps, valid


@torch.no_grad()
def evaluate(a, data, policy, ref, ref_held):
    prompts = data.eval_prompts.repeat_interleave(a.samples, 0)
    cluster = np.repeat(np.arange(len(data.eval_keys)), a.samples)
    toks, lp_pol, valid = sample(policy, prompts, a.seed ^ 0xE7A1, stop_at_eos=not a.eval_no_stop)
    lp_ref = response_logprobs(ref, prompts, toks, valid)
    k1 = ((lp_pol - lp_ref) * valid).sum(1).double().numpy()
    r = torch.exp(lp_ref.double() - lp_pol.double())
    k3 = ((r - 1 - torch.log(r)) * valid).sum(1).numpy()
    wins = np.zeros(len(data.eval_keys))
    lengths, junk, no_eos, over, golds = [], [], 0, 0, []
    for i in range(len(toks)):
        row = toks[i, :int(valid[i].sum())].tolist()
        keys = data.eval_keys[cluster[i]]
        gv = gold(keys, row)
        golds.append(gv)
        wins[cluster[i]] += sum(1.0 if gv > rr else 0.5 if gv == rr else 0.0 for rr in data.ref_rewards[cluster[i]])
        y = row[:row.index(EOS)] if EOS in row else row  # tokens before the first EOS
        no_eos += EOS not in row
        lengths.append(len(y))
        junk.append(gold_parts(keys, y)[2])
        over += len(y) > 6
    per_prompt = wins / (a.samples * len(data.ref_rewards[0]))
    k1_prompt = np.bincount(cluster, weights=k1) / a.samples
    n = len(toks)
    # implicit-reward accuracy on held-out pairs
    pc, pr = pair_sums(policy, data.held)
    margin = (pc - ref_held[0]) - (pr - ref_held[1])
    return dict(kl=float(k1.mean()), kl_se=float(k1_prompt.std(ddof=1) / math.sqrt(len(k1_prompt))),
                kl_k3=float(k3.mean()), win=float(per_prompt.mean()),
                win_se=float(per_prompt.std(ddof=1) / math.sqrt(len(per_prompt))),
                gold=float(np.mean(golds)), length=float(np.mean(lengths)), junk=float(np.mean(junk)),
                no_eos=no_eos / n, over_max=over / n, implicit_acc=float((margin > 0).double().mean()))


@torch.no_grad()
def pair_sums(model, pairs, batch=512, with_eos=True):
    cs, rs = [], []
    for lo in range(0, len(pairs["prompts"]), batch):
        sl = slice(lo, lo + batch)
        cm, rm = pairs["chosen_mask"][sl], pairs["rejected_mask"][sl]
        if not with_eos:
            cm, rm = drop_eos(pairs["chosen"][sl], cm), drop_eos(pairs["rejected"][sl], rm)
        cs.append(response_logprobs(model, pairs["prompts"][sl], pairs["chosen"][sl], cm).sum(1))
        rs.append(response_logprobs(model, pairs["prompts"][sl], pairs["rejected"][sl], rm).sum(1))
    return torch.cat(cs).double(), torch.cat(rs).double()


def drop_eos(resp, mask):
    return mask * (resp != EOS).float()


def eos_padded(resp, mask, mode):
    """Variant: responses right-padded with EOS and the padding scored (the
    pad_token = eos_token bug), to the longest response of the data
    ("fixed") or of the batch ("batch")."""
    resp = torch.where(mask > 0, resp, torch.full_like(resp, EOS))
    if mode == "batch":
        R = int(mask.sum(1).max())
        resp = resp[:, :R]
    return resp, torch.ones(resp.shape)


# ----------------------------------------------------------------------------- DAA
class RMSpropEpsInside(torch.optim.Optimizer):
    """RMSprop with eps inside the square root: p -= lr g / sqrt(v + eps)
    (TensorFlow 1's tf.train.RMSPropOptimizer form)."""

    def __init__(self, params, lr, alpha, eps):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["v"] = torch.zeros_like(p)
                st["v"].mul_(grp["alpha"]).addcmul_(p.grad, p.grad, value=1 - grp["alpha"])
                p.addcdiv_(p.grad, (st["v"] + grp["eps"]).sqrt(), value=-grp["lr"])


def daa_loss(a, z):
    """Per-pair loss of z = beta*Delta."""
    if a.loss == "dpo":
        return -F.logsigmoid(z)
    if a.loss == "ipo":
        return (z - 1) ** 2
    if a.loss == "slic":
        return torch.clamp(1 - z, min=0)
    raise ValueError(a.loss)


def train_daa(a, data, ref, evaluate_at, log):
    policy = clone(ref)
    policy.train()
    with_eos = not a.no_eos_in_sums
    ref_c, ref_r = pair_sums(ref, data.train, with_eos=with_eos)
    ref_c, ref_r = ref_c.float(), ref_r.float()
    steps = len(data.train["prompts"]) // a.batch
    params = [p for n, p in policy.named_parameters() if not (a.freeze_attn_bias and "attention" in n and n.endswith("bias"))]
    if a.freeze_key_bias:
        hd = policy.cfg.head_dim
        for layer in policy.gpt_neox.layers:
            keep = torch.ones(3 * policy.cfg.hidden_size)
            for h in range(policy.cfg.num_attention_heads):
                keep[h * 3 * hd + hd:h * 3 * hd + 2 * hd] = 0  # head h's key rows
            layer.attention.query_key_value.bias.register_hook(lambda g, keep=keep: g * keep)
    if a.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=a.lr, alpha=a.alpha, eps=a.eps,
                                  centered=a.centered, momentum=a.momentum, weight_decay=a.weight_decay)
    elif a.optimizer == "rmsprop_eps_inside":
        opt = RMSpropEpsInside(params, lr=a.lr, alpha=a.alpha, eps=a.eps)
    elif a.optimizer == "adam":
        opt = torch.optim.Adam(params, lr=a.lr)
    else:
        raise ValueError(a.optimizer)
    warmup = a.warmup if a.warmup >= 0 else int(0.1 * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (warmup + 1)))
    if a.order_json:
        order = torch.tensor(json.load(open(a.order_json))["order"])
    else:
        g = torch.Generator().manual_seed((a.seed if a.dpo_seed is None else a.dpo_seed) + 202)
        order = torch.randperm(len(data.train["prompts"]), generator=g)
    tr = data.train
    C = a.checkpoints
    eval_steps = {(2 * k * steps + C) // (2 * C) for k in range(C + 1)}
    t0 = time.time()
    for step in range(steps + 1):
        if step in eval_steps:
            evaluate_at(policy, step)
            if a.reset_optimizer and step > 0:  # variant: fresh RMSprop state (schedule continues)
                opt.state.clear()
        if step == steps:
            break
        idx = order[step * a.batch:(step + 1) * a.batch]
        prompts = torch.cat([tr["prompts"][idx]] * 2)
        R = max(tr["chosen"].shape[1], tr["rejected"].shape[1])
        resp = torch.cat([F.pad(tr["chosen"][idx], (0, R - tr["chosen"].shape[1])),
                          F.pad(tr["rejected"][idx], (0, R - tr["rejected"].shape[1]))])
        mask = torch.cat([F.pad(tr["chosen_mask"][idx], (0, R - tr["chosen_mask"].shape[1])),
                          F.pad(tr["rejected_mask"][idx], (0, R - tr["rejected_mask"].shape[1]))])
        if not with_eos:
            mask = drop_eos(resp, mask)
        b = len(idx)
        if a.pad_eos == "off":
            rc_b, rr_b = ref_c[idx], ref_r[idx]
        else:
            resp, mask = eos_padded(resp, mask, a.pad_eos)
            with torch.no_grad():  # the same as precomputing with the same padding
                rs = response_logprobs(ref, prompts, resp, mask).sum(1)
            rc_b, rr_b = rs[:b], rs[b:]
        sums = response_logprobs(policy, prompts, resp, mask).sum(1)
        delta = (sums[:b] - rc_b) - (sums[b:] - rr_b)
        per_pair = daa_loss(a, a.beta * delta)
        loss = per_pair.sum() if a.reduction == "sum" else per_pair.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if (step + 1) % 100 == 0:
            log(f"DAA step {step + 1}: loss {per_pair.mean().item():.4f} mean Delta {delta.mean().item():.2f} "
                f"({time.time() - t0:.1f}s)")
    return policy


# ----------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/tmp/xchk/data_s1.json")
    ap.add_argument("--out", default=None, help="write results JSON here")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sft-model", default=None, help="load the SFT model from this HF-format dir (skips SFT)")
    ap.add_argument("--save-sft", default=None, help="save the SFT model to this dir (HF format)")
    ap.add_argument("--sft-steps", type=int, default=3000)
    ap.add_argument("--sft-batch", type=int, default=64)
    ap.add_argument("--sft-lr", type=float, default=3e-3)
    ap.add_argument("--sft-warmup", type=int, default=100)
    ap.add_argument("--no-attn-bias", action="store_true", help="variant: attention without biases")
    ap.add_argument("--no-qkv-bias", action="store_true", help="variant: no query_key_value bias (dense bias kept)")
    ap.add_argument("--no-dense-bias", action="store_true", help="variant: no attention dense bias (qkv bias kept)")
    ap.add_argument("--freeze-attn-bias", action="store_true", help="variant: DAA does not update the attention biases")
    ap.add_argument("--freeze-key-bias", action="store_true",
                    help="variant: DAA gradient of the key part of the qkv bias set to 0")
    ap.add_argument("--loss", default="dpo", choices=["dpo", "ipo", "slic"])
    ap.add_argument("--beta", type=float, default=0.03)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--alpha", type=float, default=0.99)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--centered", action="store_true")
    ap.add_argument("--reset-optimizer", action="store_true",
                    help="variant: clear the optimizer state at every checkpoint (training resumed chunk by chunk)")
    ap.add_argument("--weight-decay", type=float, default=0.0, help="variant: RMSprop's L2 weight decay (on every parameter)")
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--optimizer", default="rmsprop", choices=["rmsprop", "rmsprop_eps_inside", "adam"])
    ap.add_argument("--warmup", type=int, default=-1, help="DAA warmup steps (-1: 10%% of the epoch; 0: none)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--reduction", default="mean", choices=["mean", "sum"], help="loss over the pairs of a batch")
    ap.add_argument("--no-eos-in-sums", action="store_true", help="variant: DAA sums exclude EOS")
    ap.add_argument("--pad-eos", default="off", choices=["off", "fixed", "batch"],
                    help="variant: DAA responses padded with EOS and the padding scored (policy and reference)")
    ap.add_argument("--sft-pad-eos", action="store_true", help="variant: SFT responses padded with EOS, padding scored")
    ap.add_argument("--eval-no-stop", action="store_true", help="variant: samples do not stop at EOS")
    ap.add_argument("--eval-prompts", type=int, default=256)
    ap.add_argument("--samples", type=int, default=2)
    ap.add_argument("--checkpoints", type=int, default=4)
    ap.add_argument("--dpo-seed", type=int, default=None, help="seed of the DAA pair order (default --seed)")
    ap.add_argument("--order-json", default=None, help="take the DAA pair order from this JSON ({\"order\": [...]}, gostep's order.json)")
    ap.add_argument("--eval-models", default=None,
                    help="comma-separated model dirs: evaluate them against the SFT model instead of training")
    ap.add_argument("--label", default="recipe")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)

    def log(s):
        print(f"[{a.label}] {s}", file=sys.stderr, flush=True)

    data = Data(a.data, a.eval_prompts)
    t0 = time.time()
    if a.sft_model:
        ref = nx.load_model(a.sft_model, torch.float32)
        log(f"loaded SFT model {a.sft_model}")
    else:
        ref = train_sft(a, data, log)
        log(f"SFT {a.sft_steps} steps in {time.time() - t0:.1f}s")
        if a.save_sft:
            nx.save_model(ref, a.save_sft)
    ref.eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    ref_held = pair_sums(ref, data.held)
    points = []

    def evaluate_at(policy, step):
        t = time.time()
        policy.eval()
        pt = evaluate(a, data, policy, ref, ref_held)
        policy.train()
        pt["step"] = step
        points.append(pt)
        log(f"step {step:4d}: KL {pt['kl']:.2f} (k3 {pt['kl_k3']:.2f}) win {pt['win']:.3f}+-{pt['win_se']:.3f} "
            f"len {pt['length']:.2f} junk {pt['junk']:.2f} noEOS {pt['no_eos']:.3f} >6 {pt['over_max']:.3f} "
            f"acc {pt['implicit_acc']:.3f} ({time.time() - t:.1f}s)")

    t1 = time.time()
    if a.eval_models:
        evaluate_at(ref, 0)
        for k, d in enumerate(a.eval_models.split(",")):
            evaluate_at(nx.load_model(d, torch.float32), k + 1)
    else:
        train_daa(a, data, ref, evaluate_at, log)
    log(f"DAA + evaluation in {time.time() - t1:.1f}s")
    summary = " ".join(f"{p['kl']:.2f}/{p['win']:.3f}/{p['length']:.1f}" for p in points)
    print(f"{a.label}: KL/win/length {summary}")
    if a.out:
        json.dump(dict(args=vars(a), points=points), open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
