#!/usr/bin/python3
"""Markdown table of recipe.py result files: one row per file, KL k1 and win
rate at every checkpoint, and the final mean length, junk and no-EOS rate.

  /usr/bin/python3 table.py /tmp/xchk/var/*.json
"""
import json
import os
import sys

import numpy as np

print("| run | KL k1 at 0, 1/4, 1/2, 3/4, 1 | win at 0, 1/4, 1/2, 3/4, 1 (se ~0.02) | final length / junk / no-EOS |")
print("|---|---|---|---|")
for path in sys.argv[1:]:
    pts = json.load(open(path))["points"]
    kl = " ".join(f"{p['kl']:.2f}" for p in pts)
    win = " ".join(f"{p['win']:.3f}" for p in pts)
    last = pts[-1]
    name = os.path.splitext(os.path.basename(path))[0]
    print(f"| {name} | {kl} | {win} | {last['length']:.1f} / {last['junk']:.2f} / {last['no_eos']:.3f} |")

if "--mean" in os.environ.get("TABLE", ""):
    runs = [json.load(open(p))["points"] for p in sys.argv[1:]]
    kl = np.array([[p["kl"] for p in r] for r in runs])
    win = np.array([[p["win"] for p in r] for r in runs])
    print(f"| mean of {len(runs)} | {' '.join(f'{x:.2f}' for x in kl.mean(0))} | "
          f"{' '.join(f'{x:.3f}' for x in win.mean(0))} | final KL range {kl[:, -1].min():.2f}-{kl[:, -1].max():.2f} |")
