# Writes points.csv: synthetic (kl, winrate) checkpoints for three objectives,
# win = c + d (alpha - beta log d) with d = sqrt(kl) (Gao et al. RL form) plus
# Gaussian noise of sd 0.01, rounded to 4 decimals. Extra columns (step, beta,
# win_se) and a column order other than name,kl,winrate exercise the reader.
# Run: python3 make_points.py > points.csv
import math
import random

random.seed(2406)
truth = {"dpo": (0.40, 0.20, 0.12), "ipo": (0.40, 0.18, 0.10), "slic": (0.40, 0.15, 0.08)}
print("step,beta,winrate,name,kl,win_se")
for name, (c, alpha, beta) in truth.items():
    for i in range(12):
        kl = 0.75 * i
        d = math.sqrt(kl)
        win = c + (d * (alpha - beta * math.log(d)) if d > 0 else 0.0)
        win += random.gauss(0, 0.01)
        print(f"{125 * i},{0.1 if i % 2 else 0.03},{win:.4f},{name},{kl:.4f},0.02")
