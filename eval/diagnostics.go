package eval

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// ImplicitRewardAccuracy returns the share of held-out preference pairs that
// the policy ranks correctly by its implicit reward, with a binomial standard
// error. margins[i] is the margin of pair i,
//
//	Delta = (log pi(y_c|x) - log pi_ref(y_c|x)) - (log pi(y_r|x) - log pi_ref(y_r|x)),
//
// (any positive multiple, such as beta*Delta, gives the same accuracy); a pair
// counts as correct only when Delta > 0 strictly, so ties (an untrained
// policy has Delta = 0 on every pair) count as wrong.
func ImplicitRewardAccuracy(margins []float64) Estimate {
	correct := make([]float64, len(margins))
	for i, m := range margins {
		if m > 0 {
			correct[i] = 1
		}
	}
	return MeanSE(correct, nil)
}

// LinearFit is an ordinary least-squares line y = Intercept + Slope*x.
type LinearFit struct {
	Slope, Intercept float64
	R2               float64 // coefficient of determination, 1 - SS_res/SS_tot
	N                int     // number of points
}

// RegressOnLength fits the implicit reward on response length by ordinary
// least squares (gonum stat.LinearRegression): reward[i] = Intercept +
// Slope*length[i]. reward[i] is usually log pi(y_i|x) - log pi_ref(y_i|x)
// summed over the response tokens, in nats; scaling the rewards by beta
// scales Slope and Intercept by beta and leaves R2 unchanged. It returns an
// error when fewer than two points are given or all lengths are equal (the
// slope is then undefined). RegressOnLength panics if the slices differ in
// length.
func RegressOnLength(reward []float64, length []int) (LinearFit, error) {
	if len(reward) != len(length) {
		panic(fmt.Sprintf("eval: RegressOnLength: %d rewards but %d lengths", len(reward), len(length)))
	}
	x := make([]float64, len(length))
	distinct := false
	for i, l := range length {
		x[i] = float64(l)
		distinct = distinct || l != length[0]
	}
	if len(x) < 2 || !distinct {
		return LinearFit{}, fmt.Errorf("eval: RegressOnLength: need at least two distinct lengths, got %d responses", len(x))
	}
	intercept, slope := stat.LinearRegression(x, reward, nil, false)
	r2 := stat.RSquared(x, reward, nil, intercept, slope)
	if math.IsNaN(r2) {
		r2 = 0 // constant rewards: the line explains nothing because there is nothing to explain
	}
	return LinearFit{Slope: slope, Intercept: intercept, R2: r2, N: len(x)}, nil
}
