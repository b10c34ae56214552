package optim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// stateFormat marks daa optimizer state files in their metadata.
const stateFormat = "daa.optim/v1"

// An optimizer state file is a safetensors file holding, for every parameter
// that has been updated at least once,
//
//	"step.<param>"     I64 scalar: the parameter's update count (torch's state["step"])
//	"<state>.<param>"  the parameter's dtype (F32 or F64) and shape, one per state
//	                   tensor, named as torch names them: exp_avg, exp_avg_sq,
//	                   max_exp_avg_sq (AdamW); square_avg, momentum_buffer,
//	                   grad_avg (RMSProp); momentum_buffer (SGD)
//
// and, in the metadata, "format" (daa.optim/v1), "optimizer" (AdamW, RMSProp
// or SGD), "steps" (the number of Step calls, which drives the schedule),
// "config" (the hyper-parameters as JSON) and "groups" (JSON: each group's
// lr, weight_decay and parameter names).

// savedGroup is one group in the "groups" metadata entry.
type savedGroup struct {
	LR          float64  `json:"lr"`
	WeightDecay float64  `json:"weight_decay"`
	Params      []string `json:"params"`
}

// Save writes the optimizer state (see the file format above) to path
// atomically. It must not run concurrently with Step.
func (o *AdamW) Save(path string) error { return o.save(path, o.cfg) }

// Save writes the optimizer state to path atomically, like AdamW.Save.
func (o *RMSProp) Save(path string) error { return o.save(path, o.cfg) }

// Save writes the optimizer state to path atomically, like AdamW.Save.
func (o *SGD) Save(path string) error { return o.save(path, o.cfg) }

// Load restores the state that Save wrote to path, after which Step
// continues exactly (bit for bit) as the saved optimizer would have. As
// torch's load_state_dict does, it also restores the hyper-parameters (the
// config and each group's learning rate and weight decay); Schedule and Decay
// are code and stay as constructed. It returns an error naming the file and
// the parameter or field when the file is not an AdamW state, its groups do
// not hold the same parameters in the same order, or a state tensor is
// missing, unexpected, or of the wrong dtype or shape; the optimizer is
// unchanged then.
func (o *AdamW) Load(path string) error {
	cfg := AdamWConfig{Decay: o.cfg.Decay, Schedule: o.cfg.Schedule}
	err := o.load(path, &cfg, func() ([]string, error) { return cfg.stateNames(), cfg.validate() })
	if err == nil {
		o.cfg = cfg
	}
	return err
}

// Load restores the state that Save wrote to path, like AdamW.Load.
func (o *RMSProp) Load(path string) error {
	cfg := RMSPropConfig{Decay: o.cfg.Decay, Schedule: o.cfg.Schedule}
	err := o.load(path, &cfg, func() ([]string, error) { return cfg.stateNames(), cfg.validate() })
	if err == nil {
		o.cfg = cfg
	}
	return err
}

// Load restores the state that Save wrote to path, like AdamW.Load.
func (o *SGD) Load(path string) error {
	cfg := SGDConfig{Decay: o.cfg.Decay, Schedule: o.cfg.Schedule}
	err := o.load(path, &cfg, func() ([]string, error) { return cfg.stateNames(), cfg.validate() })
	if err == nil {
		o.cfg = cfg
	}
	return err
}

// save writes c's state and cfg (marshalled as JSON) to path.
func (c *core) save(path string, cfg any) error {
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("optim: %s.Save %s: config: %w", c.kind, path, err)
	}
	groups := make([]savedGroup, len(c.groups))
	for i, g := range c.groups {
		groups[i] = savedGroup{LR: g.LR, WeightDecay: g.WeightDecay}
		for _, p := range g.Params {
			groups[i].Params = append(groups[i].Params, p.Name)
		}
	}
	groupsJSON, err := json.Marshal(groups)
	if err != nil {
		return fmt.Errorf("optim: %s.Save %s: groups: %w", c.kind, path, err)
	}
	meta := map[string]string{
		"format":    stateFormat,
		"optimizer": c.kind,
		"steps":     strconv.Itoa(c.steps),
		"config":    string(cfgJSON),
		"groups":    string(groupsJSON),
	}
	var specs []safetensors.Spec
	steps := map[string]int64{}
	tensors := map[string]*tensor.Tensor{}
	for i := range c.slots {
		s := &c.slots[i]
		if s.step == 0 {
			continue
		}
		name := "step." + s.param.Name
		specs = append(specs, safetensors.Spec{Name: name, DType: safetensors.I64, Shape: []int{}})
		steps[name] = s.step
		for k, st := range s.state {
			name := c.stateNames[k] + "." + s.param.Name
			specs = append(specs, safetensors.Spec{Name: name, DType: fileDType(st.DType()), Shape: st.Shape()})
			tensors[name] = st
		}
	}
	err = safetensors.WriteStream(path, specs, meta, func(s safetensors.Spec, w io.Writer) error {
		if t, ok := tensors[s.Name]; ok {
			return writeTensor(w, t)
		}
		_, err := w.Write(binary.LittleEndian.AppendUint64(nil, uint64(steps[s.Name])))
		return err
	})
	if err != nil {
		return fmt.Errorf("optim: %s.Save: %w", c.kind, err)
	}
	return nil
}

// fileDType returns the safetensors dtype that stores dt exactly.
func fileDType(dt tensor.DType) safetensors.DType {
	if dt == tensor.Float32 {
		return safetensors.F32
	}
	return safetensors.F64
}

// writeTensor writes a contiguous tensor's elements as little-endian bytes.
func writeTensor(w io.Writer, t *tensor.Tensor) error {
	if t.DType() == tensor.Float32 {
		return safetensors.WriteFloat32(w, safetensors.F32, t.Float32s())
	}
	v := t.Float64s()
	const chunk = 1 << 14
	buf := make([]byte, 0, 8*min(len(v), chunk))
	for lo := 0; lo < len(v); lo += chunk {
		buf = buf[:0]
		for _, x := range v[lo:min(len(v), lo+chunk)] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// loadedSlot is one parameter's state read from a file, not yet installed.
type loadedSlot struct {
	step  int64
	state []*tensor.Tensor
}

// load reads a state file into c. It unmarshals the "config" entry into cfg
// (a pointer to the optimizer's config), then calls prepare, which validates
// it and returns the state names it implies. c changes only if everything
// succeeds.
func (c *core) load(path string, cfg any, prepare func() ([]string, error)) error {
	f, err := safetensors.Open(path)
	if err != nil {
		return fmt.Errorf("optim: %s.Load: %w", c.kind, err)
	}
	defer f.Close()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("optim: %s.Load %s: %s", c.kind, path, fmt.Sprintf(format, args...))
	}
	meta := f.Metadata()
	if meta["format"] != stateFormat {
		return fail("metadata format is %q, want %q (not a daa optimizer state file)", meta["format"], stateFormat)
	}
	if meta["optimizer"] != c.kind {
		return fail("the file holds %s state, not %s state", meta["optimizer"], c.kind)
	}
	steps, err := strconv.Atoi(meta["steps"])
	if err != nil || steps < 0 {
		return fail("metadata steps = %q, want a count >= 0", meta["steps"])
	}
	if err := decodeStrict(meta["config"], cfg); err != nil {
		return fail("metadata config: %v", err)
	}
	stateNames, err := prepare()
	if err != nil {
		return fail("metadata config: %v", err)
	}
	var groups []savedGroup
	if err := decodeStrict(meta["groups"], &groups); err != nil {
		return fail("metadata groups: %v", err)
	}
	if err := c.checkSavedGroups(groups); err != nil {
		return fail("%v", err)
	}
	loaded := make([]loadedSlot, len(c.slots))
	used := 0
	for i := range c.slots {
		s := &c.slots[i]
		ls, n, err := readSlot(f, s, stateNames)
		if err != nil {
			return fail("%v", err)
		}
		loaded[i] = ls
		used += n
	}
	if names := f.Names(); used != len(names) {
		for _, name := range names {
			if !c.knows(name, stateNames) {
				return fail("unexpected tensor %q (not a state tensor of this optimizer's parameters)", name)
			}
		}
	}
	// Everything checked: install.
	c.stateNames = stateNames
	c.steps = steps
	for i, g := range groups {
		c.groups[i].LR, c.groups[i].WeightDecay = g.LR, g.WeightDecay
	}
	for i := range c.slots {
		c.slots[i].step, c.slots[i].state = loaded[i].step, loaded[i].state
	}
	return nil
}

// decodeStrict unmarshals JSON into v, rejecting unknown fields.
func decodeStrict(s string, v any) error {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// checkSavedGroups returns an error unless the saved groups hold exactly
// c's parameters, group by group and in order, with valid hyper-parameters.
func (c *core) checkSavedGroups(saved []savedGroup) error {
	if len(saved) != len(c.groups) {
		return fmt.Errorf("the file has %d parameter groups, the optimizer %d", len(saved), len(c.groups))
	}
	for gi, g := range c.groups {
		sg := saved[gi]
		if err := checkNonNegative(c.kind, fmt.Sprintf("group %d lr", gi), sg.LR); err != nil {
			return err
		}
		if err := checkNonNegative(c.kind, fmt.Sprintf("group %d weight_decay", gi), sg.WeightDecay); err != nil {
			return err
		}
		for i := range max(len(g.Params), len(sg.Params)) {
			var have, want string
			if i < len(sg.Params) {
				have = sg.Params[i]
			}
			if i < len(g.Params) {
				want = g.Params[i].Name
			}
			if have != want {
				return fmt.Errorf("group %d parameter %d is %q in the file but %q in the optimizer", gi, i, have, want)
			}
		}
	}
	return nil
}

// knows reports whether name is a state tensor name of one of c's parameters.
func (c *core) knows(name string, stateNames []string) bool {
	for i := range c.slots {
		p := c.slots[i].param.Name
		if name == "step."+p || slices.ContainsFunc(stateNames, func(sn string) bool { return name == sn+"."+p }) {
			return true
		}
	}
	return false
}

// readSlot reads parameter s's step count and state tensors from f, checking
// dtypes and shapes, and returns them with the number of tensors read. A
// parameter without "step.<name>" was never updated and must have no state.
func readSlot(f *safetensors.File, s *slot, stateNames []string) (loadedSlot, int, error) {
	name := s.param.Name
	d := s.param.Value.Data
	stepName := "step." + name
	if !f.Has(stepName) {
		for _, sn := range stateNames {
			if f.Has(sn + "." + name) {
				return loadedSlot{}, 0, fmt.Errorf("parameter %q has tensor %q but no %q", name, sn+"."+name, stepName)
			}
		}
		return loadedSlot{}, 0, nil
	}
	info, err := f.Info(stepName)
	if err != nil {
		return loadedSlot{}, 0, err
	}
	if info.DType != safetensors.I64 || len(info.Shape) != 0 {
		return loadedSlot{}, 0, fmt.Errorf("parameter %q: tensor %q is %s %v, want an I64 scalar", name, stepName, info.DType, info.Shape)
	}
	var step [1]int64
	if err := f.Int64Into(step[:], stepName); err != nil {
		return loadedSlot{}, 0, err
	}
	if step[0] < 1 {
		return loadedSlot{}, 0, fmt.Errorf("parameter %q: %s = %d, want >= 1", name, stepName, step[0])
	}
	ls := loadedSlot{step: step[0], state: make([]*tensor.Tensor, len(stateNames))}
	for k, sn := range stateNames {
		tn := sn + "." + name
		info, err := f.Info(tn)
		if err != nil {
			return loadedSlot{}, 0, fmt.Errorf("parameter %q: missing state tensor %q", name, tn)
		}
		if info.DType != fileDType(d.DType()) || !slices.Equal(info.Shape, d.Shape()) {
			return loadedSlot{}, 0, fmt.Errorf("parameter %q is %s %v but tensor %q is %s %v",
				name, d.DType(), d.Shape(), tn, info.DType, info.Shape)
		}
		t := tensor.ZerosLike(d)
		if d.DType() == tensor.Float32 {
			err = f.Float32Into(t.Float32s(), tn)
		} else {
			err = f.Float64Into(t.Float64s(), tn)
		}
		if err != nil {
			return loadedSlot{}, 0, err
		}
		ls.state[k] = t
	}
	return ls, 1 + len(stateNames), nil
}
