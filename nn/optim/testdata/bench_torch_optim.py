#!/usr/bin/python3
"""Times torch.optim on CPU for comparison with `go test -bench . ./nn/optim`.

    /usr/bin/python3 bench_torch_optim.py

Same workloads as bench_test.go: 4M float32 parameters in one [4096, 1024]
matrix, AdamW (lr 1e-3, betas (0.9, 0.95), wd 0.1), centered RMSprop with
momentum 0.9, SGD with momentum 0.9, and clip_grad_norm_; torch's default
single-tensor path (foreach=False on CPU) and, where torch 1.13 has it, the
foreach path, on 1 thread (torch's default on this machine) and on 2 like
the Go benchmarks. Prints milliseconds per step (median of 20 after 3 warm-up
steps) and parameters per second.
"""
import time

import torch


def bench(make_opt, n=4 << 20, reps=20):
    torch.manual_seed(1)
    p = (torch.randn(n // 1024, 1024) * 0.02).requires_grad_(True)
    p.grad = torch.randn(n // 1024, 1024) * 1e-3
    opt = make_opt([p])
    for _ in range(3):
        opt.step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        opt.step()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], n


def bench_clip(n=4 << 20, reps=20):
    p = torch.zeros(n // 1024, 1024, requires_grad=True)
    p.grad = torch.randn(n // 1024, 1024)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_([p], float("inf"))
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], n


def main():
    for threads in (1, 2):  # torch's default here, and the Go benchmarks' GOMAXPROCS
        torch.set_num_threads(threads)
        run()


def run():
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    cases = {
        "AdamW single-tensor": lambda ps: torch.optim.AdamW(ps, lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, foreach=False),
        "AdamW foreach": lambda ps: torch.optim.AdamW(ps, lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, foreach=True),
        "RMSprop centered momentum": lambda ps: torch.optim.RMSprop(ps, lr=1e-2, centered=True, momentum=0.9, foreach=False),
        "SGD momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, foreach=False),
    }
    for name, make in cases.items():
        sec, n = bench(make)
        print(f"{name:28s} {sec * 1e3:8.2f} ms/step {n / sec / 1e6:8.1f} Mparam/s")
    sec, n = bench_clip()
    print(f"{'clip_grad_norm_ (norm only)':28s} {sec * 1e3:8.2f} ms/step {n / sec / 1e6:8.1f} Mparam/s")


if __name__ == "__main__":
    main()
