package optim

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// Optimizer is what a training loop needs from AdamW, RMSProp and SGD.
type Optimizer interface {
	// Step updates, in place, every parameter whose Grad is not nil.
	Step()
	// ZeroGrad sets every parameter's Grad to nil.
	ZeroGrad()
	// Steps returns the number of Step calls so far (restored by Load).
	Steps() int
	// LR returns the learning rate the next Step applies to group i.
	LR(group int) float64
	// Save writes the optimizer state to a safetensors file atomically.
	Save(path string) error
	// Load restores the state Save wrote.
	Load(path string) error
}

// Group is a set of parameters that share a learning rate and a weight
// decay, like one of torch.optim's param_groups.
type Group struct {
	Params []nn.Param
	// LR is the base learning rate; the optimizer's schedule multiplies it.
	LR float64
	// WeightDecay is the group's weight decay coefficient (decoupled in AdamW,
	// added to the gradient in RMSProp and SGD).
	WeightDecay float64
}

// grain is the number of elements below which an update runs on one core.
const grain = 1 << 15

// slot is one parameter and its optimizer state.
type slot struct {
	param nn.Param
	group int
	// step counts the updates applied to this parameter (torch's
	// state["step"]); Step skips parameters without a gradient, so it can
	// fall behind the optimizer's step count.
	step int64
	// state holds one tensor per name in core.stateNames, allocated (zero)
	// on the parameter's first update, with its dtype and shape.
	state []*tensor.Tensor
	// lr and wd are the learning rate and weight decay of the current Step.
	lr, wd float64
}

// core holds what AdamW, RMSProp and SGD share: the groups, the per-parameter
// slots, the schedule, the step count and the parallel loop over all
// parameters that have a gradient.
type core struct {
	kind       string // "AdamW", "RMSProp" or "SGD"
	groups     []Group
	slots      []slot
	schedule   Schedule
	steps      int
	stateNames []string // the state tensors of each parameter, as torch names them

	// Rebuilt by every Step without allocating once capacities are reached.
	active  []*slot // the slots whose parameter has a gradient
	spans   spans   // active[i]'s elements are [spans.offsets[i], spans.offsets[i+1])
	kernel  func(s *slot, lo, hi int)
	rangeFn func(lo, hi int) // c.updateRange, bound once so Step does not allocate it
}

// init validates the groups and sets c up. kernel updates elements [lo, hi)
// of one slot's parameter and state.
func (c *core) init(kind string, groups []Group, schedule Schedule, stateNames []string, kernel func(s *slot, lo, hi int)) error {
	if err := checkGroups(kind, groups); err != nil {
		return err
	}
	c.kind = kind
	c.schedule = schedule
	c.stateNames = stateNames
	c.kernel = kernel
	c.rangeFn = c.updateRange
	c.groups = make([]Group, len(groups))
	for gi, g := range groups {
		c.groups[gi] = Group{Params: append([]nn.Param(nil), g.Params...), LR: g.LR, WeightDecay: g.WeightDecay}
		for _, p := range g.Params {
			c.slots = append(c.slots, slot{param: p, group: gi})
		}
	}
	c.active = make([]*slot, 0, len(c.slots))
	c.spans.offsets = make([]int, 0, len(c.slots)+1)
	return nil
}

// checkGroups returns an error naming the group or parameter that is not
// usable: no parameters at all, a negative or non-finite learning rate or
// weight decay, a parameter without a name, value or data, a duplicated
// name, a value listed twice (under two names: it would be updated twice;
// torch rejects that too), or non-contiguous data.
func checkGroups(kind string, groups []Group) error {
	seen := map[string]bool{}
	values := map[*autograd.Value]string{}
	n := 0
	for gi, g := range groups {
		if err := checkNonNegative(kind, fmt.Sprintf("group %d LR", gi), g.LR); err != nil {
			return err
		}
		if err := checkNonNegative(kind, fmt.Sprintf("group %d WeightDecay", gi), g.WeightDecay); err != nil {
			return err
		}
		for _, p := range g.Params {
			switch {
			case p.Name == "":
				return fmt.Errorf("optim: %s: group %d has a parameter without a name", kind, gi)
			case seen[p.Name]:
				return fmt.Errorf("optim: %s: parameter %q appears twice", kind, p.Name)
			case p.Value == nil || p.Value.Data == nil:
				return fmt.Errorf("optim: %s: parameter %q has no value", kind, p.Name)
			case values[p.Value] != "":
				return fmt.Errorf("optim: %s: parameters %q and %q are the same value", kind, values[p.Value], p.Name)
			case !p.Value.Data.IsContiguous():
				return fmt.Errorf("optim: %s: parameter %q is a non-contiguous view of shape %v", kind, p.Name, p.Value.Data.Shape())
			}
			seen[p.Name] = true
			values[p.Value] = p.Name
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("optim: %s: no parameters to optimize", kind)
	}
	return nil
}

// checkParams rejects parameters that DecayRule could not look at.
func checkParams(kind string, params []nn.Param) error {
	for _, p := range params {
		if p.Value == nil || p.Value.Data == nil {
			return fmt.Errorf("optim: %s: parameter %q has no value", kind, p.Name)
		}
	}
	return nil
}

// Steps returns the number of Step calls so far.
func (c *core) Steps() int { return c.steps }

// factor returns the schedule's multiplier for the next Step (1 without a
// schedule). It panics if the schedule returns a negative or non-finite
// factor.
func (c *core) factor() float64 {
	if c.schedule == nil {
		return 1
	}
	f := c.schedule(c.steps)
	if !(f >= 0) || math.IsInf(f, 1) {
		panic(fmt.Sprintf("optim: %s: the schedule returned the factor %v at step %d; want a finite value >= 0", c.kind, f, c.steps))
	}
	return f
}

// LR returns the learning rate the next Step applies to group i: the group's
// base learning rate times the schedule's factor for step Steps(). Groups are
// numbered in the order given to the constructor (NewAdamW and the others
// make the decayed group first). It panics if i is out of range.
func (c *core) LR(i int) float64 { return c.groups[i].LR * c.factor() }

// ZeroGrad sets every parameter's Grad to nil, as torch's zero_grad() does
// by default.
func (c *core) ZeroGrad() {
	for i := range c.slots {
		c.slots[i].param.Value.ZeroGrad()
	}
}

// begin prepares a Step: it selects the parameters that have a gradient,
// checks that each gradient matches its parameter, allocates state on a
// parameter's first update, counts the update and sets the step's learning
// rate (group LR times the schedule's factor, as torch's LambdaLR computes
// it) and weight decay.
func (c *core) begin() {
	f := c.factor()
	c.active = c.active[:0]
	c.spans.reset()
	for i := range c.slots {
		s := &c.slots[i]
		g := s.param.Value.Grad
		if g == nil {
			continue // torch skips parameters whose grad is None
		}
		c.checkSlot(s, g)
		if len(s.state) != len(c.stateNames) {
			s.state = make([]*tensor.Tensor, len(c.stateNames))
			for k := range s.state {
				s.state[k] = tensor.ZerosLike(s.param.Value.Data)
			}
		}
		s.step++
		s.lr = c.groups[s.group].LR * f
		s.wd = c.groups[s.group].WeightDecay
		c.active = append(c.active, s)
		c.spans.add(s.param.Value.Data.Len())
	}
}

// checkSlot panics unless the parameter, its gradient and its state are
// contiguous tensors of one dtype and shape.
func (c *core) checkSlot(s *slot, g *tensor.Tensor) {
	d := s.param.Value.Data
	if g.DType() != d.DType() || !tensor.SameShape(g, d) || !g.IsContiguous() || !d.IsContiguous() {
		panic(fmt.Sprintf("optim: %s.Step: parameter %q is %s %v (contiguous %v), its gradient %s %v (contiguous %v)",
			c.kind, s.param.Name, d.DType(), d.Shape(), d.IsContiguous(), g.DType(), g.Shape(), g.IsContiguous()))
	}
	for k, st := range s.state {
		if st.DType() != d.DType() || !tensor.SameShape(st, d) {
			panic(fmt.Sprintf("optim: %s.Step: parameter %q is %s %v but its %s state is %s %v (was the parameter's data replaced?)",
				c.kind, s.param.Name, d.DType(), d.Shape(), c.stateNames[k], st.DType(), st.Shape()))
		}
	}
}

// run applies the kernel to every element of every active slot, with one
// parallel loop over all of them laid end to end, and counts the step.
func (c *core) run() {
	parallel.For(c.spans.total(), grain, c.rangeFn)
	c.steps++
}

// updateRange applies the kernel to the flattened elements [lo, hi).
func (c *core) updateRange(lo, hi int) {
	c.spans.each(lo, hi, func(i, a, b int) { c.kernel(c.active[i], a, b) })
}

// stateOf returns slot s's state tensor k as a []T slice of elements
// [lo, hi), or nil when the optimizer keeps no such state.
func stateOf[T float](s *slot, k, lo, hi int) []T {
	if k >= len(s.state) {
		return nil
	}
	return elems[T](s.state[k], lo, hi)
}
