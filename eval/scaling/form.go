package scaling

import (
	"fmt"
	"math"
)

// Form names a scaling-law form; see the package documentation.
type Form string

// The forms. Their string values are the names used in reports and JSON.
const (
	RL        Form = "rl"        // R(d) = c + d (alpha - beta log d)
	BoN       Form = "bon"       // R(d) = c + d (alpha - beta d)
	Quadratic Form = "quadratic" // R(d) = c + alpha d - beta d^2, always with c
)

// Forms lists every form, in the order reports show them.
var Forms = []Form{RL, BoN, Quadratic}

// ParseForm returns the Form named s ("rl", "bon" or "quadratic").
func ParseForm(s string) (Form, error) {
	for _, f := range Forms {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("scaling: unknown form %q (want rl, bon or quadratic)", s)
}

// terms returns g(d) and h(d) of R(d) = c + alpha g(d) - beta h(d) for the
// form. It panics on an unknown form.
func (f Form) terms(d float64) (g, h float64) {
	switch f {
	case RL:
		if d == 0 {
			return 0, 0 // lim_{d->0} d log d = 0
		}
		return d, d * math.Log(d)
	case BoN, Quadratic:
		return d, d * d
	}
	panic(fmt.Sprintf("scaling: unknown form %q", string(f)))
}

// peak returns the maximiser d* >= 0 of R(d) = c + alpha g(d) - beta h(d)
// and R(d*), or ok = false when R has no maximum on d >= 0 (beta <= 0) or
// d* overflows.
func (f Form) peak(alpha, beta, c float64) (d, r float64, ok bool) {
	if !(beta > 0) {
		return 0, 0, false
	}
	switch f {
	case RL:
		// dR/dd = alpha - beta log d - beta = 0  =>  log d* = alpha/beta - 1;
		// R(d*) = c + d*(alpha - (alpha - beta)) = c + beta d*.
		d = math.Exp(alpha/beta - 1)
		r = c + beta*d
	default:
		// dR/dd = alpha - 2 beta d = 0  =>  d* = alpha/(2 beta), R = c + alpha^2/(4 beta);
		// a vertex at negative d means R falls on d >= 0 and peaks at 0.
		d = math.Max(alpha/(2*beta), 0)
		r = c + alpha*d - beta*d*d
	}
	if math.IsInf(d, 0) || math.IsInf(r, 0) {
		return 0, 0, false
	}
	return d, r, true
}
