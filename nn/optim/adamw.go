package optim

import (
	"math"

	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// AdamWConfig holds AdamW's hyper-parameters. The zero value is not
// torch's default: start from DefaultAdamW.
type AdamWConfig struct {
	LR          float64 `json:"lr"`           // base learning rate, >= 0
	Beta1       float64 `json:"beta1"`        // first-moment decay, in [0, 1)
	Beta2       float64 `json:"beta2"`        // second-moment decay, in [0, 1)
	Eps         float64 `json:"eps"`          // added to sqrt(v_hat), >= 0
	WeightDecay float64 `json:"weight_decay"` // decoupled weight decay, >= 0
	AMSGrad     bool    `json:"amsgrad"`      // use the running maximum of v
	// Decay picks the parameters that get WeightDecay in NewAdamW (nil means
	// DecayByName). NewAdamWGroups ignores it.
	Decay DecayRule `json:"-"`
	// Schedule multiplies every group's LR at each step (nil means constant).
	Schedule Schedule `json:"-"`
}

// DefaultAdamW returns torch.optim.AdamW's defaults: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, no amsgrad.
func DefaultAdamW() AdamWConfig {
	return AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}
}

// validate returns an error naming the first field out of range.
func (c AdamWConfig) validate() error {
	if err := checkNonNegative("AdamW", "LR", c.LR); err != nil {
		return err
	}
	if err := checkUnit("AdamW", "Beta1", c.Beta1); err != nil {
		return err
	}
	if err := checkUnit("AdamW", "Beta2", c.Beta2); err != nil {
		return err
	}
	if err := checkNonNegative("AdamW", "Eps", c.Eps); err != nil {
		return err
	}
	return checkNonNegative("AdamW", "WeightDecay", c.WeightDecay)
}

// stateNames returns torch's names of AdamW's per-parameter state tensors.
func (c AdamWConfig) stateNames() []string {
	if c.AMSGrad {
		return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

// AdamW is torch.optim.AdamW (Loshchilov and Hutter, "Decoupled Weight Decay
// Regularization"), with torch's exact order of operations; see adamwUpdate.
// Parameters may be float32 or float64; the state has the parameter's dtype.
type AdamW struct {
	core
	cfg AdamWConfig
}

// NewAdamW returns an AdamW over params, split by cfg.Decay into a group
// with weight decay cfg.WeightDecay and one without (see SplitByDecay), both
// with learning rate cfg.LR. The tiny-random Pythia goldens' optimizer is
//
//	optim.NewAdamW(params, optim.AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95,
//		Eps: 1e-8, WeightDecay: 0.1, Decay: optim.DecayRank2})
//
// It returns an error naming the field or parameter when a hyper-parameter
// is out of range, a name is empty or repeated, a value appears twice, a
// parameter has no data or its data is not contiguous, or there are no
// parameters.
func NewAdamW(params []nn.Param, cfg AdamWConfig) (*AdamW, error) {
	if err := checkParams("AdamW", params); err != nil {
		return nil, err
	}
	return NewAdamWGroups(SplitByDecay(params, cfg.LR, cfg.WeightDecay, cfg.Decay), cfg)
}

// NewAdamWGroups returns an AdamW over explicit groups, each with its own LR
// and WeightDecay; cfg.LR, cfg.WeightDecay and cfg.Decay are not used. It
// returns errors like NewAdamW.
func NewAdamWGroups(groups []Group, cfg AdamWConfig) (*AdamW, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	o := &AdamW{cfg: cfg}
	if err := o.core.init("AdamW", groups, cfg.Schedule, cfg.stateNames(), o.update); err != nil {
		return nil, err
	}
	return o, nil
}

// Config returns the hyper-parameters in use (after Load, the saved ones).
func (o *AdamW) Config() AdamWConfig { return o.cfg }

// Step applies one AdamW update to every parameter with a gradient, in
// parallel across cores. It panics if a gradient's dtype or shape differs
// from its parameter's.
func (o *AdamW) Step() {
	o.begin()
	o.run()
}

// update is the core's kernel: it updates elements [lo, hi) of slot s.
func (o *AdamW) update(s *slot, lo, hi int) {
	if s.param.Value.Data.DType() == tensor.Float32 {
		adamwSlot[float32](o, s, lo, hi)
	} else {
		adamwSlot[float64](o, s, lo, hi)
	}
}

func adamwSlot[T float](o *AdamW, s *slot, lo, hi int) {
	// torch: bias_correction1 = 1 - beta1**step; step_size = lr / bias_correction1;
	// bias_correction2_sqrt = math.sqrt(1 - beta2**step).
	k := adamwScalars{
		decay:   1 - s.lr*s.wd,
		beta1:   o.cfg.Beta1,
		beta2:   o.cfg.Beta2,
		bc2Sqrt: math.Sqrt(1 - powInt(o.cfg.Beta2, s.step)),
		negStep: -(s.lr / (1 - powInt(o.cfg.Beta1, s.step))),
		eps:     o.cfg.Eps,
	}
	adamwUpdate(
		elems[T](s.param.Value.Data, lo, hi),
		elems[T](s.param.Value.Grad, lo, hi),
		stateOf[T](s, 0, lo, hi),
		stateOf[T](s, 1, lo, hi),
		stateOf[T](s, 2, lo, hi),
		k)
}

// adamwScalars are the per-step scalars of one parameter's AdamW update.
type adamwScalars struct {
	decay   float64 // 1 - lr*weight_decay
	beta1   float64
	beta2   float64
	bc2Sqrt float64 // sqrt(1 - beta2^t)
	negStep float64 // -lr / (1 - beta1^t)
	eps     float64
}

// adamwUpdate applies one step of torch.optim.AdamW (torch 1.13's
// _single_tensor_adamw) to parameters p with gradients g, first moments m,
// second moments v and, for amsgrad, running maxima vmax (nil otherwise).
// Element by element, in torch's order and rounding (scalars rounded to T
// first, products fused where torch's CPU kernels fuse them; see fma):
//
//	p = p * (1 - lr*wd)                        param.mul_(1 - lr*weight_decay)
//	m = fma(g, 1-beta1, m*beta1)               exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
//	v = fma((1-beta2)*g, g, v*beta2)           exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
//	vmax = max(vmax, v)                        amsgrad only; vmax replaces v below
//	denom = sqrt(v)/sqrt(1-beta2^t) + eps      (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
//	p = p + (-lr/(1-beta1^t) * m) / denom      param.addcdiv_(exp_avg, denom, value=-step_size)
//
// torch >= 2.0 writes the m update as exp_avg.lerp_(grad, 1-beta1), which
// its kernels also compute with one FMA (m + w*(g-m)): the same value up to
// the last bit.
func adamwUpdate[T float](p, g, m, v, vmax []T, k adamwScalars) {
	decay := T(k.decay)
	b1, ob1 := T(k.beta1), T(1-k.beta1)
	b2, ob2 := T(k.beta2), T(1-k.beta2)
	bc2Sqrt, negStep, eps := T(k.bc2Sqrt), T(k.negStep), T(k.eps)
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := g[i]
		p[i] = p[i] * decay
		m[i] = fma(gi, ob1, T(m[i]*b1))
		v[i] = fma(T(ob2*gi), gi, T(v[i]*b2))
		vi := v[i]
		if vmax != nil {
			vmax[i] = max(vmax[i], vi)
			vi = vmax[i]
		}
		denom := T(T(math.Sqrt(float64(vi)))/bc2Sqrt) + eps
		p[i] = p[i] + T(negStep*m[i])/denom
	}
}
