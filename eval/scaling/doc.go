// Package scaling fits scaling laws of win rate (or gold reward) against
// d = sqrt(KL(pi||pi_ref)), as in Gao et al. 2022 ("Scaling laws for reward
// model overoptimization") and Rafailov et al. 2024 ("Scaling laws for reward
// model overoptimization in direct alignment algorithms", arXiv 2406.02900).
//
// Three forms, each R(d) = c + alpha*g(d) - beta*h(d):
//
//	RL        R(d) = c + d (alpha - beta log d)   (Gao et al., RL)
//	BoN       R(d) = c + d (alpha - beta d)       (Gao et al., best-of-n)
//	Quadratic R(d) = c + alpha d - beta d^2       (baseline, always with c)
//
// The intercept c is optional for RL and BoN (without it R(0) = 0, as when R
// is a gain over the initial policy) and always present in Quadratic. At
// d = 0, d log d is taken as its limit 0, so R(0) = c in every form.
//
// BoN and Quadratic are the same family of curves: without an intercept BoN
// is a parabola through the origin while Quadratic keeps c; with an
// intercept the two fits coincide. Quadratic is solved in closed form (least
// squares by QR), so with an intercept it doubles as a check on the iterative
// BoN fit.
//
// RL and BoN are fitted by nonlinear least squares (gonum optimize.Newton on
// the mean squared residual with the Gauss-Newton Hessian J^T J), started
// from a linearisation: R/d = alpha - beta log d is linear in log d (RL) and
// R/d = alpha - beta d is linear in d (BoN), fitted by ordinary least
// squares after subtracting c0, the win rate at the smallest d. Both forms
// happen to be linear in (alpha, beta, c), so the squared error is a convex
// quadratic with a single minimum which Newton reaches in one step; the
// Gauss-Newton machinery also serves forms that are not. Win rates are
// divided by max|win| before the fit (and the parameters multiplied back),
// so the optimizer's absolute tolerances suit data of any scale. When the
// start is already optimal to rounding (noise-free data) the line search
// reports failure; the point is then accepted if the gradient is zero to
// 1e-12 of its scale.
//
// Peaks: RL peaks at d* = exp(alpha/beta - 1) with R(d*) = c + beta d*; BoN
// and Quadratic at the vertex d* = alpha/(2 beta) with
// R(d*) = c + alpha^2/(4 beta). A peak exists only when beta > 0; the peak is
// the maximiser over d >= 0, so a vertex at negative d is reported at d* = 0.
//
// Bootstrap intervals resample the points with replacement (seeded PCG),
// refit, and report percentile intervals of the parameters, the peak, and the
// difference in RMSE between two forms.
package scaling
