#!/usr/bin/python3
"""Golden values for daa's nn/optim, computed by PyTorch's own optimizers.

Run with Debian's PyTorch (apt-get install python3-torch python3-numpy):

    /usr/bin/python3 gen_optim_golden.py > optim_golden.json

For every case, torch.optim.AdamW / RMSprop / SGD (single-tensor CPU path,
torch 1.13 here) runs a few steps on two small parameters, a matrix "w"
(rank 2) and a vector "b" (rank 1), with a fixed gradient sequence drawn from
a seeded numpy generator and saved in the output. Weight decay goes only to
"w" (rank >= 2) unless the case says "decay": "all". A gradient of null
means the parameter had grad None at that step (torch skips it). Some cases
wrap the optimizer in torch.optim.lr_scheduler.LambdaLR with the schedule's
lambda, stepped after each optimizer step. Every case runs in float64 and in
float32 (the float32 gradients are the float64 ones rounded to float32, and
are stored rounded).

The "clip" section records torch.nn.utils.clip_grad_norm_ (returned norm and
clipped gradients) on three gradients, one of them None.

The "schedules" section records the learning-rate factors LambdaLR applies
at steps 0..n-1 (get_last_lr() before each optimizer step with base lr 1)
for the paper's linear warmup and Hugging Face's cosine and linear schedules.
The Hugging Face lambdas below are transcribed from transformers'
optimization.py (the package is not in Debian).
"""
import json
import math
import sys

import numpy as np
import torch


def linear_warmup(warmup):
    # DPO reference code (the DAA over-optimization paper's trainer):
    # LambdaLR(optimizer, lr_lambda=lambda step: min(1.0, (step + 1) / (warmup_steps + 1)))
    return lambda step: min(1.0, (step + 1) / (warmup + 1))


def hf_cosine(warmup, total, cycles=0.5):
    # transformers.get_cosine_schedule_with_warmup
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        progress = float(step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress)))
    return f


def hf_linear(warmup, total):
    # transformers.get_linear_schedule_with_warmup
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))
    return f


def linear_floor(warmup, total, floor):
    # daa's LinearWarmupDecayToFloor: HF linear decay rescaled to end at `floor`.
    lin = hf_linear(warmup, total)
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return floor + (1.0 - floor) * lin(step)
    return f


SCHEDULES = {
    "linear_warmup": lambda a: linear_warmup(a["warmup"]),
    "cosine": lambda a: hf_cosine(a["warmup"], a["total"], a.get("cycles", 0.5)),
    "linear": lambda a: hf_linear(a["warmup"], a["total"]),
    "linear_floor": lambda a: linear_floor(a["warmup"], a["total"], a["floor"]),
}

SHAPES = {"w": [3, 4], "b": [4]}
STEPS = 6

CASES = [
    # name, optimizer, hyper-parameters (torch keyword names), extra options
    ("adamw", "adamw", dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), {}),
    ("adamw_pythia", "adamw", dict(lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1), {}),
    ("adamw_amsgrad", "adamw", dict(lr=2e-2, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.05, amsgrad=True), {}),
    ("adamw_small_beta1", "adamw", dict(lr=1e-2, betas=(0.3, 0.5), eps=1e-3, weight_decay=0.0), {}),
    ("adamw_groups_lr", "adamw", dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), {"lr_b": 3e-3}),
    ("adamw_linear_warmup", "adamw", dict(lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1),
     {"schedule": {"kind": "linear_warmup", "warmup": 3}}),
    ("adamw_cosine", "adamw", dict(lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1),
     {"schedule": {"kind": "cosine", "warmup": 2, "total": 6}}),
    ("rmsprop", "rmsprop", dict(lr=1e-2, alpha=0.99, eps=1e-8), {}),
    ("rmsprop_centered", "rmsprop", dict(lr=1e-2, alpha=0.9, eps=1e-8, centered=True), {}),
    ("rmsprop_momentum", "rmsprop", dict(lr=1e-3, alpha=0.99, eps=1e-6, momentum=0.9), {}),
    ("rmsprop_wd", "rmsprop", dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.1), {"decay": "all"}),
    ("rmsprop_all", "rmsprop", dict(lr=1e-2, alpha=0.95, eps=1e-7, weight_decay=0.01, momentum=0.5, centered=True),
     {"decay": "all"}),
    ("sgd", "sgd", dict(lr=0.1), {}),
    ("sgd_momentum", "sgd", dict(lr=0.05, momentum=0.9), {}),
    ("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), {"decay": "all"}),
    ("sgd_dampening", "sgd", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.1), {"decay": "all"}),
    ("sgd_linear", "sgd", dict(lr=0.1, momentum=0.8, weight_decay=0.1),
     {"schedule": {"kind": "linear", "warmup": 2, "total": 5}}),
]


def make_inputs(seed):
    rng = np.random.default_rng(seed)
    init = {n: rng.normal(size=s) for n, s in SHAPES.items()}
    grads = []
    for step in range(STEPS):
        g = {}
        for n, s in SHAPES.items():
            # magnitudes from 1e-3 to 10, and an exact zero now and then
            scale = 10.0 ** rng.uniform(-3, 1)
            v = rng.normal(size=s) * scale
            v.flat[step % v.size] = 0.0
            g[n] = v
        grads.append(g)
    # "b" has no gradient at step 2: torch skips it (its step count stays behind).
    grads[2]["b"] = None
    return init, grads


def run_case(name, kind, hp, opts, dtype, init, grads):
    params = {n: torch.tensor(v, dtype=dtype).requires_grad_(True) for n, v in init.items()}
    wd = hp.get("weight_decay", 0.0)
    lr = hp["lr"]
    if opts.get("decay") == "all":
        groups = [{"params": [params["w"], params["b"]]}]
    else:
        groups = [{"params": [params["w"]], "weight_decay": wd},
                  {"params": [params["b"]], "weight_decay": 0.0, "lr": opts.get("lr_b", lr)}]
    cls = {"adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}[kind]
    opt = cls(groups, foreach=False, **hp)
    sched = None
    if "schedule" in opts:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, SCHEDULES[opts["schedule"]["kind"]](opts["schedule"]))
    stored_grads, expected = [], []
    for g in grads:
        sg = {}
        for n, p in params.items():
            if g[n] is None:
                p.grad = None
                sg[n] = None
            else:
                p.grad = torch.tensor(g[n], dtype=dtype)
                sg[n] = p.grad.double().flatten().tolist()
        opt.step()
        if sched is not None:
            sched.step()
        stored_grads.append(sg)
        expected.append({n: p.detach().double().flatten().tolist() for n, p in params.items()})
    return {
        "name": name,
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "optimizer": kind,
        "hparams": {k: (list(v) if isinstance(v, tuple) else v) for k, v in hp.items()},
        "options": opts,
        "shapes": SHAPES,
        "init": {n: torch.tensor(v, dtype=dtype).double().flatten().tolist() for n, v in init.items()},
        "grads": stored_grads,
        "expected": expected,
    }


def schedule_factors(kind, args, n):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, SCHEDULES[kind](args))
    out = []
    for _ in range(n):
        out.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return {"kind": kind, "args": args, "factors": out}


def clip_case(seed, max_norm, dtype, scale):
    # torch.nn.utils.clip_grad_norm_ on three gradients, one of them None.
    rng = np.random.default_rng(seed)
    params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in ([3, 4], [5], [2, 2, 2])]
    grads = [rng.normal(size=p.shape) * scale for p in params]
    grads[1] = None
    for p, g in zip(params, grads):
        p.grad = None if g is None else torch.tensor(g, dtype=dtype)
    before = [None if p.grad is None else p.grad.double().flatten().tolist() for p in params]
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    after = [None if p.grad is None else p.grad.double().flatten().tolist() for p in params]
    return {"dtype": "float64" if dtype == torch.float64 else "float32", "max_norm": max_norm,
            "shapes": [list(p.shape) for p in params], "grads": before, "norm": float(norm), "clipped": after}


def main():
    cases = []
    for i, (name, kind, hp, opts) in enumerate(CASES):
        init, grads = make_inputs(1000 + i)
        for dtype in (torch.float64, torch.float32):
            cases.append(run_case(name, kind, hp, opts, dtype, init, grads))
    schedules = [
        schedule_factors("linear_warmup", {"warmup": 4}, 8),
        schedule_factors("linear_warmup", {"warmup": 0}, 3),
        schedule_factors("cosine", {"warmup": 3, "total": 10}, 13),
        schedule_factors("cosine", {"warmup": 0, "total": 7, "cycles": 1.5}, 9),
        schedule_factors("linear", {"warmup": 3, "total": 10}, 13),
        schedule_factors("linear", {"warmup": 0, "total": 4}, 6),
        schedule_factors("linear_floor", {"warmup": 2, "total": 8, "floor": 0.1}, 11),
    ]
    clips = [
        clip_case(7, 1.0, torch.float64, 1.0),     # clipped
        clip_case(8, 100.0, torch.float64, 1.0),   # below max_norm: unchanged
        clip_case(9, 0.25, torch.float32, 3.0),    # float32 gradients
        clip_case(10, 3.53e-4, torch.float64, 1e-4),  # norm 3.5326e-4 just above max_norm
    ]
    json.dump({"torch": torch.__version__, "numpy": np.__version__, "cases": cases, "schedules": schedules,
               "clip": clips},
              sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
