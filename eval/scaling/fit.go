package scaling

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat"
)

// Fit is a fitted scaling law R(d) = c + alpha g(d) - beta h(d).
type Fit struct {
	Form          Form
	WithIntercept bool    // c was fitted (always true for Quadratic)
	Alpha, Beta   float64 // see the package documentation for each form
	Intercept     float64 // c, the fitted R(0); 0 when WithIntercept is false
	RMSE          float64 // sqrt(mean over points of (R(d_i) - win_i)^2)
	R2            float64 // 1 - SS_res/SS_tot; 0 when every win_i is equal
	N             int     // number of points
	HasPeak       bool    // R has a maximum on d >= 0 (beta > 0)
	PeakD         float64 // the maximiser d* (0 when !HasPeak)
	PeakWinRate   float64 // R(d*) (0 when !HasPeak)
}

// Predict returns R(d) under the fit. It panics if d < 0.
func (f Fit) Predict(d float64) float64 {
	if d < 0 {
		panic(fmt.Sprintf("scaling: Predict at d = %v < 0", d))
	}
	g, h := f.Form.terms(d)
	return f.Intercept + f.Alpha*g - f.Beta*h
}

// FitForm fits form to the points (d[i], win[i]), d = sqrt(KL) >= 0, by least
// squares; withIntercept chooses whether c is fitted (ignored for Quadratic,
// which always has it). It returns an error naming the point when a value is
// NaN or infinite or a d is negative, and an error when there are fewer
// distinct d values than parameters (the fit is then not unique) or the
// optimizer fails. FitForm panics if d and win differ in length or form is
// unknown.
func FitForm(form Form, d, win []float64, withIntercept bool) (Fit, error) {
	if len(d) != len(win) {
		panic(fmt.Sprintf("scaling: FitForm: %d d values but %d win rates", len(d), len(win)))
	}
	form.terms(1) // panics on an unknown form
	if form == Quadratic {
		withIntercept = true
	}
	if err := checkPoints(d, win, withIntercept); err != nil {
		return Fit{}, fmt.Errorf("scaling: fitting %s: %w", form, err)
	}
	var x []float64 // (alpha, beta[, c])
	var err error
	if form == Quadratic {
		x, err = solveLinear(form, d, win)
	} else {
		// Fit win/s with s = max|win|, so that the optimizer's absolute
		// tolerances suit data of any scale; every parameter scales with s.
		s := floats.Norm(win, math.Inf(1))
		if s == 0 {
			s = 1
		}
		scaled := make([]float64, len(win))
		floats.ScaleTo(scaled, 1/s, win)
		x, err = solveGaussNewton(form, d, scaled, initialGuess(form, d, scaled, withIntercept))
		floats.Scale(s, x)
	}
	if err != nil {
		return Fit{}, fmt.Errorf("scaling: fitting %s: %w", form, err)
	}
	f := Fit{Form: form, WithIntercept: withIntercept, Alpha: x[0], Beta: x[1], N: len(d)}
	if withIntercept {
		f.Intercept = x[2]
	}
	f.RMSE, f.R2 = goodness(f, d, win)
	f.PeakD, f.PeakWinRate, f.HasPeak = form.peak(f.Alpha, f.Beta, f.Intercept)
	return f, nil
}

// checkPoints returns an error for values a fit cannot use.
func checkPoints(d, win []float64, withIntercept bool) error {
	distinct := map[float64]bool{}
	for i := range d {
		if math.IsNaN(d[i]) || math.IsInf(d[i], 0) || d[i] < 0 {
			return fmt.Errorf("point %d: d = %v, want a finite value >= 0", i, d[i])
		}
		if math.IsNaN(win[i]) || math.IsInf(win[i], 0) {
			return fmt.Errorf("point %d: win rate %v is not finite", i, win[i])
		}
		if d[i] > 0 || withIntercept { // without c, a point at d = 0 constrains nothing
			distinct[d[i]] = true
		}
	}
	params := 2
	if withIntercept {
		params = 3
	}
	if len(distinct) < params {
		return fmt.Errorf("%d distinct usable d values for %d parameters", len(distinct), params)
	}
	return nil
}

// initialGuess linearises the form: with c0 the win rate at the smallest d
// (0 without an intercept), y = (win - c0)/d = alpha - beta x with x = log d
// (RL) or x = d (BoN), fitted by OLS over the points with d > 0 other than
// the one that gave c0.
func initialGuess(form Form, d, win []float64, withIntercept bool) []float64 {
	var c0 float64
	skip := -1
	if withIntercept {
		for i := range d {
			if skip < 0 || d[i] < d[skip] {
				skip = i
			}
		}
		c0 = win[skip]
	}
	var xs, ys []float64
	for i := range d {
		if d[i] == 0 || i == skip {
			continue
		}
		x := d[i]
		if form == RL {
			x = math.Log(d[i])
		}
		xs = append(xs, x)
		ys = append(ys, (win[i]-c0)/d[i])
	}
	alpha, beta := 0.0, 0.0
	if len(xs) >= 2 && stat.Variance(xs, nil) > 0 {
		intercept, slope := stat.LinearRegression(xs, ys, nil, false)
		alpha, beta = intercept, -slope
	}
	if withIntercept {
		return []float64{alpha, beta, c0}
	}
	return []float64{alpha, beta}
}

// solveGaussNewton minimises f(x) = 0.5/n sum_i (R(d_i; x) - win_i)^2 from
// x0 with gonum's Newton method, given the gradient J^T r / n and the
// Gauss-Newton Hessian J^T J / n, where J_ij = dR(d_i)/dx_j =
// (g(d_i), -h(d_i)[, 1]).
func solveGaussNewton(form Form, d, win []float64, x0 []float64) ([]float64, error) {
	n, p := len(d), len(x0)
	jac := mat.NewDense(n, p, nil)
	for i := range d {
		g, h := form.terms(d[i])
		jac.Set(i, 0, g)
		jac.Set(i, 1, -h)
		if p == 3 {
			jac.Set(i, 2, 1)
		}
	}
	residuals := func(x []float64) *mat.VecDense {
		r := mat.NewVecDense(n, nil)
		r.MulVec(jac, mat.NewVecDense(p, append([]float64(nil), x...)))
		for i := range win {
			r.SetVec(i, r.AtVec(i)-win[i])
		}
		return r
	}
	var jtj mat.SymDense
	jtj.SymOuterK(1/float64(n), jac.T())
	problem := optimize.Problem{
		Func: func(x []float64) float64 {
			r := residuals(x)
			return 0.5 * mat.Dot(r, r) / float64(n)
		},
		Grad: func(grad, x []float64) {
			g := mat.NewVecDense(p, grad)
			g.MulVec(jac.T(), residuals(x))
			g.ScaleVec(1/float64(n), g)
		},
		Hess: func(hess *mat.SymDense, x []float64) { hess.CopySym(&jtj) },
	}
	res, err := optimize.Minimize(problem, x0, &optimize.Settings{MajorIterations: 200}, &optimize.Newton{})
	if err != nil && res != nil {
		// At (or within rounding of) the optimum, as with noise-free data
		// where the linearised start is already exact, the line search can
		// fail to lower f ("no progress", "non-descent direction"). Accept the
		// best point if it is stationary up to rounding: the largest entry of
		// J^T r / n below 1e-12 of the scale ||J||_inf * max(1, max|win|).
		grad := make([]float64, p)
		problem.Grad(grad, res.X)
		scale := mat.Norm(jac, math.Inf(1)) * math.Max(1, floats.Norm(win, math.Inf(1)))
		if floats.Norm(grad, math.Inf(1)) <= 1e-12*scale {
			return res.X, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("optimizer: %w", err)
	}
	if res.Status == optimize.Failure || res.Status == optimize.IterationLimit {
		return nil, fmt.Errorf("optimizer stopped with status %v", res.Status)
	}
	return res.X, nil
}

// solveLinear returns the least-squares (alpha, beta, c) of
// win = c + alpha g(d) - beta h(d) by QR factorisation.
func solveLinear(form Form, d, win []float64) ([]float64, error) {
	a := mat.NewDense(len(d), 3, nil)
	for i := range d {
		g, h := form.terms(d[i])
		a.SetRow(i, []float64{g, -h, 1})
	}
	var x mat.VecDense
	if err := x.SolveVec(a, mat.NewVecDense(len(win), append([]float64(nil), win...))); err != nil {
		return nil, fmt.Errorf("least squares: %w", err)
	}
	return []float64{x.AtVec(0), x.AtVec(1), x.AtVec(2)}, nil
}

// goodness returns the RMSE and R^2 of f on the points.
func goodness(f Fit, d, win []float64) (rmse, r2 float64) {
	mean := stat.Mean(win, nil)
	var ssRes, ssTot float64
	for i := range d {
		e := f.Predict(d[i]) - win[i]
		ssRes += e * e
		ssTot += (win[i] - mean) * (win[i] - mean)
	}
	rmse = math.Sqrt(ssRes / float64(len(d)))
	if ssTot > 0 {
		r2 = 1 - ssRes/ssTot
	}
	return rmse, r2
}
