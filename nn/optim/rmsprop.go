package optim

import (
	"fmt"
	"math"

	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// RMSPropConfig holds RMSProp's hyper-parameters. The zero value is not
// torch's default: start from DefaultRMSProp.
type RMSPropConfig struct {
	LR          float64 `json:"lr"`           // base learning rate, >= 0
	Alpha       float64 `json:"alpha"`        // square-average decay, in [0, 1)
	Eps         float64 `json:"eps"`          // added to sqrt(avg), >= 0
	WeightDecay float64 `json:"weight_decay"` // L2 penalty added to the gradient, >= 0
	Momentum    float64 `json:"momentum"`     // momentum factor, >= 0 (0: no momentum buffer)
	Centered    bool    `json:"centered"`     // normalize by the estimated variance
	// Decay picks the parameters that get WeightDecay in NewRMSProp (nil
	// means DecayByName). NewRMSPropGroups ignores it.
	Decay DecayRule `json:"-"`
	// Schedule multiplies every group's LR at each step (nil means constant).
	Schedule Schedule `json:"-"`
}

// DefaultRMSProp returns torch.optim.RMSprop's defaults: lr 1e-2, alpha 0.99,
// eps 1e-8, no weight decay, no momentum, not centered.
func DefaultRMSProp() RMSPropConfig {
	return RMSPropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8}
}

// validate returns an error naming the first field out of range.
func (c RMSPropConfig) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"LR", c.LR}, {"Eps", c.Eps}, {"WeightDecay", c.WeightDecay}, {"Momentum", c.Momentum}} {
		if err := checkNonNegative("RMSProp", f.name, f.v); err != nil {
			return err
		}
	}
	// torch accepts alpha in [0, inf); alpha >= 1 would never forget, so
	// daa asks for [0, 1).
	if err := checkUnit("RMSProp", "Alpha", c.Alpha); err != nil {
		return fmt.Errorf("%w (torch's alpha is the smoothing constant of square_avg)", err)
	}
	return nil
}

// stateNames returns torch's names of RMSprop's per-parameter state tensors.
func (c RMSPropConfig) stateNames() []string {
	names := []string{"square_avg"}
	if c.Momentum > 0 {
		names = append(names, "momentum_buffer")
	}
	if c.Centered {
		names = append(names, "grad_avg")
	}
	return names
}

// RMSProp is torch.optim.RMSprop (Hinton's RMSProp, with Graves' centered
// variant), with torch's exact order of operations; see rmspropUpdate.
// Parameters may be float32 or float64; the state has the parameter's dtype.
type RMSProp struct {
	core
	cfg RMSPropConfig
}

// NewRMSProp returns an RMSProp over params, split by cfg.Decay into a group
// with weight decay cfg.WeightDecay and one without (see SplitByDecay). Use
// Decay: DecayAll for torch's behaviour of decaying every parameter. It
// returns an error naming the field or parameter when a hyper-parameter is
// out of range, a name is empty or repeated, a value appears twice, a
// parameter has no data or its data is not contiguous, or there are no
// parameters.
func NewRMSProp(params []nn.Param, cfg RMSPropConfig) (*RMSProp, error) {
	if err := checkParams("RMSProp", params); err != nil {
		return nil, err
	}
	return NewRMSPropGroups(SplitByDecay(params, cfg.LR, cfg.WeightDecay, cfg.Decay), cfg)
}

// NewRMSPropGroups returns an RMSProp over explicit groups, each with its own
// LR and WeightDecay; cfg.LR, cfg.WeightDecay and cfg.Decay are not used. It
// returns errors like NewRMSProp.
func NewRMSPropGroups(groups []Group, cfg RMSPropConfig) (*RMSProp, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	o := &RMSProp{cfg: cfg}
	if err := o.core.init("RMSProp", groups, cfg.Schedule, cfg.stateNames(), o.update); err != nil {
		return nil, err
	}
	return o, nil
}

// Config returns the hyper-parameters in use (after Load, the saved ones).
func (o *RMSProp) Config() RMSPropConfig { return o.cfg }

// Step applies one RMSProp update to every parameter with a gradient, in
// parallel across cores. It panics if a gradient's dtype or shape differs
// from its parameter's.
func (o *RMSProp) Step() {
	o.begin()
	o.run()
}

// update is the core's kernel: it updates elements [lo, hi) of slot s.
func (o *RMSProp) update(s *slot, lo, hi int) {
	if s.param.Value.Data.DType() == tensor.Float32 {
		rmspropSlot[float32](o, s, lo, hi)
	} else {
		rmspropSlot[float64](o, s, lo, hi)
	}
}

func rmspropSlot[T float](o *RMSProp, s *slot, lo, hi int) {
	var buf, gradAvg []T
	k := 1
	if o.cfg.Momentum > 0 {
		buf = stateOf[T](s, k, lo, hi)
		k++
	}
	if o.cfg.Centered {
		gradAvg = stateOf[T](s, k, lo, hi)
	}
	rmspropUpdate(
		elems[T](s.param.Value.Data, lo, hi),
		elems[T](s.param.Value.Grad, lo, hi),
		stateOf[T](s, 0, lo, hi), buf, gradAvg,
		rmspropScalars{lr: s.lr, wd: s.wd, alpha: o.cfg.Alpha, eps: o.cfg.Eps, momentum: o.cfg.Momentum})
}

// rmspropScalars are the per-step scalars of one parameter's RMSProp update.
type rmspropScalars struct{ lr, wd, alpha, eps, momentum float64 }

// rmspropUpdate applies one step of torch.optim.RMSprop (torch 1.13's
// _single_tensor_rmsprop) to parameters p with gradients g, square averages
// sa, momentum buffers buf (nil without momentum) and gradient averages ga
// (nil unless centered). Element by element, in torch's order and rounding
// (products fused where torch's CPU kernels fuse them; see fma):
//
//	g = fma(p, wd, g)                        if wd != 0: grad.add(param, alpha=weight_decay)
//	sa = fma((1-alpha)*g, g, sa*alpha)       square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
//	ga = fma(g, 1-alpha, ga*alpha)           centered: grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)
//	avg = sqrt(fma(-ga, ga, sa)) + eps       centered: square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_().add_(eps)
//	avg = sqrt(sa) + eps                     otherwise: eps outside the square root
//	buf = buf*momentum + g/avg               momentum > 0: buf.mul_(momentum).addcdiv_(grad, avg)
//	p = fma(buf, -lr, p)                     momentum > 0: param.add_(buf, alpha=-lr)
//	p = p + ((-lr)*g)/avg                    otherwise: param.addcdiv_(grad, avg, value=-lr)
//
// The gradient tensor itself is not modified.
func rmspropUpdate[T float](p, g, sa, buf, ga []T, k rmspropScalars) {
	negLR, wd := T(-k.lr), T(k.wd)
	alpha, oneMinusAlpha := T(k.alpha), T(1-k.alpha)
	eps, momentum := T(k.eps), T(k.momentum)
	g, sa = g[:len(p)], sa[:len(p)]
	for i := range p {
		gi := g[i]
		if wd != 0 {
			gi = fma(p[i], wd, gi)
		}
		sa[i] = fma(T(oneMinusAlpha*gi), gi, T(sa[i]*alpha))
		var avg T
		if ga != nil {
			ga[i] = fma(gi, oneMinusAlpha, T(ga[i]*alpha))
			avg = T(math.Sqrt(float64(fma(-ga[i], ga[i], sa[i]))))
		} else {
			avg = T(math.Sqrt(float64(sa[i])))
		}
		avg += eps
		if buf != nil {
			buf[i] = T(buf[i]*momentum) + gi/avg
			p[i] = fma(buf[i], negLR, p[i])
		} else {
			p[i] = p[i] + T(negLR*gi)/avg
		}
	}
}
