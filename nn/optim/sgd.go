package optim

import (
	"errors"

	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// SGDConfig holds SGD's hyper-parameters. The zero value (apart from LR,
// which torch requires) is torch's default: no momentum, dampening or weight
// decay.
type SGDConfig struct {
	LR          float64 `json:"lr"`           // base learning rate, >= 0
	Momentum    float64 `json:"momentum"`     // momentum factor, >= 0
	Dampening   float64 `json:"dampening"`    // scales the gradient added to the momentum buffer by 1-dampening
	WeightDecay float64 `json:"weight_decay"` // L2 penalty added to the gradient, >= 0
	Nesterov    bool    `json:"nesterov"`     // Nesterov momentum (needs Momentum > 0, Dampening 0)
	// Decay picks the parameters that get WeightDecay in NewSGD (nil means
	// DecayByName). NewSGDGroups ignores it.
	Decay DecayRule `json:"-"`
	// Schedule multiplies every group's LR at each step (nil means constant).
	Schedule Schedule `json:"-"`
}

// validate returns an error naming the first field out of range.
func (c SGDConfig) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"LR", c.LR}, {"Momentum", c.Momentum}, {"Dampening", c.Dampening}, {"WeightDecay", c.WeightDecay}} {
		if err := checkNonNegative("SGD", f.name, f.v); err != nil {
			return err
		}
	}
	if c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0) {
		return errors.New("optim: SGD: Nesterov momentum requires Momentum > 0 and Dampening = 0")
	}
	return nil
}

// stateNames returns torch's names of SGD's per-parameter state tensors.
func (c SGDConfig) stateNames() []string {
	if c.Momentum != 0 {
		return []string{"momentum_buffer"}
	}
	return nil
}

// SGD is torch.optim.SGD: stochastic gradient descent with optional
// momentum, dampening, Nesterov momentum and L2 weight decay, with torch's
// exact order of operations; see sgdUpdate.
type SGD struct {
	core
	cfg SGDConfig
}

// NewSGD returns an SGD over params, split by cfg.Decay into a group with
// weight decay cfg.WeightDecay and one without (see SplitByDecay). Use
// Decay: DecayAll for torch's behaviour of decaying every parameter. It
// returns an error naming the field or parameter when a hyper-parameter is
// out of range, Nesterov is set without momentum or with dampening, a name is
// empty or repeated, a value appears twice, a parameter has no data or its
// data is not contiguous, or there are no parameters.
func NewSGD(params []nn.Param, cfg SGDConfig) (*SGD, error) {
	if err := checkParams("SGD", params); err != nil {
		return nil, err
	}
	return NewSGDGroups(SplitByDecay(params, cfg.LR, cfg.WeightDecay, cfg.Decay), cfg)
}

// NewSGDGroups returns an SGD over explicit groups, each with its own LR and
// WeightDecay; cfg.LR, cfg.WeightDecay and cfg.Decay are not used. It returns
// errors like NewSGD.
func NewSGDGroups(groups []Group, cfg SGDConfig) (*SGD, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	o := &SGD{cfg: cfg}
	if err := o.core.init("SGD", groups, cfg.Schedule, cfg.stateNames(), o.update); err != nil {
		return nil, err
	}
	return o, nil
}

// Config returns the hyper-parameters in use (after Load, the saved ones).
func (o *SGD) Config() SGDConfig { return o.cfg }

// Step applies one SGD update to every parameter with a gradient, in
// parallel across cores. It panics if a gradient's dtype or shape differs
// from its parameter's.
func (o *SGD) Step() {
	o.begin()
	o.run()
}

// update is the core's kernel: it updates elements [lo, hi) of slot s.
func (o *SGD) update(s *slot, lo, hi int) {
	if s.param.Value.Data.DType() == tensor.Float32 {
		sgdSlot[float32](o, s, lo, hi)
	} else {
		sgdSlot[float64](o, s, lo, hi)
	}
}

func sgdSlot[T float](o *SGD, s *slot, lo, hi int) {
	sgdUpdate(
		elems[T](s.param.Value.Data, lo, hi),
		elems[T](s.param.Value.Grad, lo, hi),
		stateOf[T](s, 0, lo, hi),
		sgdScalars{lr: s.lr, wd: s.wd, momentum: o.cfg.Momentum, dampening: o.cfg.Dampening,
			nesterov: o.cfg.Nesterov, first: s.step == 1})
}

// sgdScalars are the per-step scalars of one parameter's SGD update.
type sgdScalars struct {
	lr, wd, momentum, dampening float64
	nesterov                    bool
	first                       bool // the parameter's first update: the buffer starts as d
}

// sgdUpdate applies one step of torch.optim.SGD (torch 1.13's
// _single_tensor_sgd) to parameters p with gradients g and momentum buffers
// buf (nil without momentum). Element by element, in torch's order and
// rounding (torch's CPU kernels compute add(x, y, alpha) as one FMA; see fma):
//
//	d = fma(p, wd, g)                          if wd != 0: d_p.add(param, alpha=weight_decay)
//	buf = d                                    first update: torch.clone(d_p) (no dampening)
//	buf = fma(d, 1-dampening, buf*momentum)    later: buf.mul_(momentum).add_(d_p, alpha=1-dampening)
//	d = fma(buf, momentum, d)                  nesterov: d_p.add(buf, alpha=momentum)
//	d = buf                                    otherwise, with momentum
//	p = fma(d, -lr, p)                         param.add_(d_p, alpha=-lr)
//
// The gradient tensor itself is not modified.
func sgdUpdate[T float](p, g, buf []T, k sgdScalars) {
	negLR, wd := T(-k.lr), T(k.wd)
	momentum, oneMinusDampening := T(k.momentum), T(1-k.dampening)
	g = g[:len(p)]
	for i := range p {
		d := g[i]
		if wd != 0 {
			d = fma(p[i], wd, d)
		}
		if buf != nil {
			if k.first {
				buf[i] = d
			} else {
				buf[i] = fma(d, oneMinusDampening, T(buf[i]*momentum))
			}
			if k.nesterov {
				d = fma(buf[i], momentum, d)
			} else {
				d = buf[i]
			}
		}
		p[i] = fma(d, negLR, p[i])
	}
}
