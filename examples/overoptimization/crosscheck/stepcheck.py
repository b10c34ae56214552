#!/usr/bin/python3
"""Step-level cross-check of the Go DPO phase against PyTorch.

gostep (Go) ran K DPO + RMSProp steps of align/train from a model directory
and dumped, per step (from the trainer's OnPreOptimizerStep hook), the pair
indices, the policy and reference sums, d loss / d sums, the learning rate,
the gradients (grad_k/) and the parameters after the step (step_k/). This script replays the same steps in PyTorch (float32, one
thread) from the same model and compares piece by piece:

  ref     reference sums of the step's pairs (Go fast inference engine vs torch)
  sums    policy sums before the step, at Go's parameters
  dsums   d loss / d sums: torch autograd of mean(-logsigmoid(beta*Delta))
          at Go's sums vs Go's align gradient
  grad    parameter gradients at Go's parameters with Go's d loss / d sums
          (torch autograd through neox_ref vs the Go engine)
  update  torch.optim.RMSprop + LambdaLR(min(1, (s+1)/(w+1))) fed Go's
          gradients, applied to Go's parameters before the step, vs Go's
          parameters after the step (isolates the optimizer and warmup), as
          max |go - torch| / (eps32 * max(|before|, |after|)): float32 ulps
  traj    an independent all-PyTorch trajectory from the same start vs Go's
          parameters after each step: max |go move - torch move| / max |torch
          move| per tensor, over all tensors and without the attention
          query_key_value biases (see README: their key part has a gradient
          that is zero in exact arithmetic in the non-rotary dimensions, so
          RMSProp turns float32 noise there into full-size updates that do
          not change the function)
  fn      max |difference| of the held-out sums (256 pairs, nats) under the
          Go and the torch parameters after the step, beside how far the
          torch sums moved from the reference (fn moved)

Tensor comparisons are max |go - torch| / max |torch| over a tensor (the
worst tensor is named). float32 on both sides: expect ~1e-6..1e-5.

  /usr/bin/python3 stepcheck.py --data /tmp/xchk/data_s1.json --init /tmp/xchk/sft_torch_s1 --go /tmp/xchk/go5
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipe as rc  # noqa: E402

nx = rc.nx


def batch(pairs, idx):
    """Prompts [2B, P], responses [2B, R] and mask, chosen rows first (gostep's pairRows)."""
    idx = torch.tensor(idx)
    R = max(pairs["chosen"].shape[1], pairs["rejected"].shape[1])
    pad = lambda t: F.pad(t[idx], (0, R - t.shape[1]))  # noqa: E731
    return (torch.cat([pairs["prompts"][idx]] * 2), torch.cat([pad(pairs["chosen"]), pad(pairs["rejected"])]),
            torch.cat([pad(pairs["chosen_mask"]), pad(pairs["rejected_mask"])]))


def rel(a, b):
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def worst(go, torch_sd, names):
    r = {n: rel(go[n], torch_sd[n]) for n in names}
    n = max(r, key=r.get)
    return r[n], n


def short(name):
    return name.replace("gpt_neox.", "").replace("layers.", "L").replace("attention.", "").replace("mlp.", "")


def load_sd(d):
    return {k: v.float() for k, v in nx._read_weights(d).items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/xchk/data_s1.json")
    ap.add_argument("--init", required=True, help="the model gostep started from")
    ap.add_argument("--go", required=True, help="gostep's output directory")
    ap.add_argument("--beta", type=float, default=0.03)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=int, default=50)
    a = ap.parse_args()
    torch.set_num_threads(1)
    data = rc.Data(a.data, 1)
    steps = json.load(open(os.path.join(a.go, "steps.json")))
    K = sum(os.path.isdir(os.path.join(a.go, f"step_{k + 1}")) and os.path.isdir(os.path.join(a.go, f"grad_{k + 1}"))
            for k in range(len(steps)))

    ref = nx.load_model(a.init, torch.float32)
    for p in ref.parameters():
        p.requires_grad_(False)
    names = [n for n, _ in ref.named_parameters()]

    # Optimizer replay on Go's gradients (isolates RMSProp + warmup).
    replay = nx.load_model(a.init, torch.float32)
    ropt = torch.optim.RMSprop(replay.parameters(), lr=a.lr, alpha=0.99, eps=1e-8)
    rsched = torch.optim.lr_scheduler.LambdaLR(ropt, lambda s: min(1.0, (s + 1) / (a.warmup + 1)))
    # Independent all-torch trajectory.
    traj = nx.load_model(a.init, torch.float32)
    topt = torch.optim.RMSprop(traj.parameters(), lr=a.lr, alpha=0.99, eps=1e-8)
    tsched = torch.optim.lr_scheduler.LambdaLR(topt, lambda s: min(1.0, (s + 1) / (a.warmup + 1)))

    go_prev = {k: v.clone() for k, v in ref.state_dict().items()}
    held = {k: v[:256] for k, v in data.held.items() if torch.is_tensor(v)}
    held_ref = rc.pair_sums(ref, held)
    print(f"{'step':>4} {'lr go':>10} {'lr torch':>10} {'ref':>8} {'sums':>8} {'dsums':>8} "
          f"{'grad (worst tensor)':>35} {'update ulps (worst)':>31} {'traj (worst tensor)':>33} "
          f"{'traj w/o qkv bias':>33} {'fn diff':>9} {'fn moved':>9}")
    for k in range(K):
        st = steps[k]
        prompts, resp, mask = batch(data.train, st["indices"])
        B = len(st["indices"])
        with torch.no_grad():
            ref_s = rc.response_logprobs(ref, prompts, resp, mask).sum(1).double()
        go_ref = torch.tensor(st["ref_chosen"] + st["ref_rejected"], dtype=torch.float64)
        r_ref = float((ref_s - go_ref).abs().max() / go_ref.abs().max())

        # Policy sums and gradients at Go's parameters before the step.
        at_go = nx.load_model(a.init, torch.float32)
        at_go.load_state_dict(go_prev)
        at_go.train()
        sums = rc.response_logprobs(at_go, prompts, resp, mask).sum(1)
        go_sums = torch.tensor(st["sums"], dtype=torch.float64)
        r_sums = float((sums.detach().double() - go_sums).abs().max() / go_sums.abs().max())

        # d loss / d sums at Go's sums, float64 autograd.
        x = go_sums.clone().requires_grad_(True)
        delta = (x[:B] - go_ref[:B]) - (x[B:] - go_ref[B:])
        (-F.logsigmoid(a.beta * delta)).mean().backward()
        go_d = torch.tensor(st["dsums"], dtype=torch.float64)
        r_d = float((x.grad - go_d).abs().max() / x.grad.abs().max())

        (sums * go_d.float()).sum().backward()
        tg = {n: p.grad for n, p in at_go.named_parameters()}
        go_grad = load_sd(os.path.join(a.go, f"grad_{k + 1}"))
        r_grad = worst(go_grad, tg, names)

        # Optimizer replay: torch RMSprop fed Go's gradients, from Go's parameters.
        with torch.no_grad():
            for n, p in replay.named_parameters():
                p.copy_(go_prev[n])
                p.grad = go_grad[n].clone()
        lr_torch = ropt.param_groups[0]["lr"]
        ropt.step()
        rsched.step()
        go_now = load_sd(os.path.join(a.go, f"step_{k + 1}"))
        # compare the update itself: (after - before), Go vs torch
        # parameters after the update, Go vs torch, in float32 ulps of the parameter
        ulps = {n: float(((go_now[n] - p.detach()).abs() / torch.finfo(torch.float32).eps
                          / torch.maximum(p.detach().abs(), go_prev[n].abs()).clamp_min(1e-30)).max())
                for n, p in replay.named_parameters()}
        r_upd = (max(ulps.values()), max(ulps, key=ulps.get))

        # Independent torch trajectory.
        traj.train()
        ts = rc.response_logprobs(traj, prompts, resp, mask).sum(1)
        with torch.no_grad():
            tref = rc.response_logprobs(ref, prompts, resp, mask).sum(1)
        tdelta = (ts[:B] - tref[:B]) - (ts[B:] - tref[B:])
        topt.zero_grad(set_to_none=True)
        (-F.logsigmoid(a.beta * tdelta)).mean().backward()
        topt.step()
        tsched.step()
        tsd = {n: p.detach() for n, p in traj.named_parameters()}
        # relative to the total movement from the start, so drift is judged against the step size
        moved = {n: tsd[n] - ref.state_dict()[n] for n in names}
        r_traj = worst({n: go_now[n] - ref.state_dict()[n] for n in names}, moved, names)
        rest = [n for n in names if not n.endswith("query_key_value.bias")]
        r_rest = worst({n: go_now[n] - ref.state_dict()[n] for n in names}, moved, rest)
        # the function: held-out sums under Go's and torch's parameters after the step (nats)
        with torch.no_grad():
            at_go.load_state_dict(go_now)
            hc_go, hr_go = rc.pair_sums(at_go, held)
            hc_t, hr_t = rc.pair_sums(traj, held)
        d_fn = float(torch.cat([hc_go - hc_t, hr_go - hr_t]).abs().max())
        d_mv = float(torch.cat([hc_t - held_ref[0], hr_t - held_ref[1]]).abs().max())

        print(f"{k + 1:>4} {st['lr']:10.3e} {lr_torch:10.3e} {r_ref:8.1e} {r_sums:8.1e} {r_d:8.1e} "
              f"{r_grad[0]:10.1e} {short(r_grad[1]):>24} {r_upd[0]:6.1f} {short(r_upd[1]):>24} "
              f"{r_traj[0]:8.1e} {short(r_traj[1]):>24} {r_rest[0]:8.1e} {short(r_rest[1]):>24} {d_fn:9.1e} {d_mv:9.1e}")
        go_prev = go_now


if __name__ == "__main__":
    main()
