#!/usr/bin/env python3
"""Independent reference for eval/scaling's fits (fit_test.go).

Writes fit_reference.json: for each scaling-law form, points (d, win) with
win = R(d) + noise, R written out from the formulas of Gao et al. 2022,

    rl         R(d) = c + d (alpha - beta log d)    (d log d = 0 at d = 0)
    bon        R(d) = c + d (alpha - beta d)
    quadratic  R(d) = c + alpha d - beta d^2

and the least-squares parameters of that form on those points, solved
exactly in rational arithmetic (fractions.Fraction, normal equations
X^T X b = X^T y with X's columns g(d), -h(d)[, 1]), then the RMSE and the
peak (rl: d* = exp(alpha/beta - 1), R* = c + beta d*; bon, quadratic:
d* = alpha/(2 beta), R* = c + alpha^2/(4 beta)). Nothing here uses daa.

Run from the repository root:

    /usr/bin/python3 eval/scaling/testdata/fit_reference.py > eval/scaling/testdata/fit_reference.json
"""
import json
import math
import random
from fractions import Fraction


def truth(form, alpha, beta, c, d):
    if form == "rl":
        return c + (0.0 if d == 0 else d * (alpha - beta * math.log(d)))
    if form == "bon":
        return c + d * (alpha - beta * d)
    return c + alpha * d - beta * d * d  # quadratic


def columns(form, d, intercept):
    """The design row (g(d), -h(d)[, 1]) as exact fractions of the floats."""
    if form == "rl":
        h = 0.0 if d == 0 else d * math.log(d)
    else:
        h = d * d
    row = [Fraction(d), -Fraction(h)]
    if intercept:
        row.append(Fraction(1))
    return row


def solve(a, b):
    """Gauss-Jordan elimination on exact fractions."""
    n = len(b)
    m = [a[i][:] + [b[i]] for i in range(n)]
    for col in range(n):
        piv = next(r for r in range(col, n) if m[r][col] != 0)
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def case(name, form, alpha, beta, c, intercept, d_max, n, noise, seed):
    rng = random.Random(seed)
    d = [d_max * i / (n - 1) for i in range(n)]
    win = [truth(form, alpha, beta, c, x) + noise * rng.gauss(0, 1) for x in d]
    rows = [columns(form, x, intercept) for x in d]
    p = len(rows[0])
    xtx = [[sum(r[j] * r[k] for r in rows) for k in range(p)] for j in range(p)]
    xty = [sum(r[j] * Fraction(y) for r, y in zip(rows, win)) for j in range(p)]
    sol = solve(xtx, xty)
    a, b = float(sol[0]), float(sol[1])
    k = float(sol[2]) if intercept else 0.0
    res = [truth(form, a, b, k, x) - y for x, y in zip(d, win)]
    rmse = math.sqrt(sum(e * e for e in res) / n)
    if form == "rl":
        peak_d = math.exp(a / b - 1)
        peak_r = k + b * peak_d
    else:
        peak_d = max(a / (2 * b), 0.0)
        peak_r = k + a * peak_d - b * peak_d * peak_d
    return {
        "name": name, "form": form, "intercept": intercept,
        "truth": {"alpha": alpha, "beta": beta, "c": c},
        "d": d, "win": win,
        "alpha": a, "beta": b, "c": k, "rmse": rmse,
        "peak_d": peak_d, "peak_win_rate": peak_r,
    }


cases = [
    case("rl+c", "rl", 0.5, 0.2, 0.4, True, 8.0, 17, 0.01, 1),
    case("rl", "rl", 1.0, 0.4, 0.0, False, 8.0, 17, 0.02, 2),
    case("bon+c", "bon", 0.3, 0.06, 0.4, True, 6.0, 13, 0.01, 3),
    case("bon", "bon", 1.0, 0.2, 0.0, False, 6.0, 13, 0.02, 4),
    case("quadratic", "quadratic", 0.3, 0.06, 0.4, True, 6.0, 13, 0.01, 5),
    case("rl+c exact", "rl", 0.2, 0.12, 0.4, True, 3.5, 8, 0.0, 6),
]
print(json.dumps(cases, indent=1))
