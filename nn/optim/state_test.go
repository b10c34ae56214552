package optim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// resumeModel returns fresh parameters of dtype dt: a matrix that gets weight
// decay, a vector, one big enough to be split across workers, and one that
// never has a gradient (so it has no state).
func resumeModel(dt tensor.DType) []nn.Param {
	rng := tensor.NewRNG(11)
	shapes := map[string][]int{"w": {4, 5}, "b": {5}, "big": {3, grain}, "frozen": {2, 2}}
	var ps []nn.Param
	for _, name := range []string{"w", "b", "big", "frozen"} {
		ps = append(ps, nn.Param{Name: name, Value: autograd.Param(tensor.RandN(rng, dt, 0, 1, shapes[name]...))})
	}
	return ps
}

// resumeGrads sets the gradients of step k, the same on every call: "b" has
// none at step 1 and "frozen" never has one.
func resumeGrads(ps []nn.Param, k int) {
	rng := tensor.NewRNG(uint64(100 + k))
	for _, p := range ps {
		p.Value.Grad = tensor.RandN(rng, p.Value.DType(), 0, 0.1*float64(k+1), p.Value.Shape()...)
		if p.Name == "frozen" || p.Name == "b" && k == 1 {
			p.Value.Grad = nil
		}
	}
}

// resumeOptimizers builds each optimizer in a configuration that uses all of
// its state.
var resumeOptimizers = map[string]func(ps []nn.Param) (Optimizer, error){
	"AdamW amsgrad cosine": func(ps []nn.Param) (Optimizer, error) {
		return NewAdamW(ps, AdamWConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1,
			AMSGrad: true, Decay: DecayRank2, Schedule: CosineWithWarmup(2, 5, 0.5)})
	},
	"RMSProp centered momentum": func(ps []nn.Param) (Optimizer, error) {
		cfg := DefaultRMSProp()
		cfg.Centered, cfg.Momentum, cfg.WeightDecay, cfg.Schedule = true, 0.9, 0.01, LinearWarmup(3)
		return NewRMSProp(ps, cfg)
	},
	"SGD nesterov": func(ps []nn.Param) (Optimizer, error) {
		return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01, Decay: DecayAll,
			Schedule: LinearWarmupDecay(1, 5)})
	},
}

// TestResumeBitForBit checks that 3 steps, Save, Load into a new optimizer
// over the saved parameters, and 2 more steps give exactly (bit for bit) the
// parameters of 5 uninterrupted steps, for every optimizer and dtype.
func TestResumeBitForBit(t *testing.T) {
	for name, build := range resumeOptimizers {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				straight := resumeModel(dt)
				opt, err := build(straight)
				require.NoError(t, err)
				for k := range 5 {
					resumeGrads(straight, k)
					opt.Step()
				}

				first := resumeModel(dt)
				opt, err = build(first)
				require.NoError(t, err)
				for k := range 3 {
					resumeGrads(first, k)
					opt.Step()
				}
				path := filepath.Join(t.TempDir(), "optim.safetensors")
				require.NoError(t, opt.Save(path))
				// A new process: fresh parameter objects holding the saved values.
				resumed := resumeModel(dt)
				for i, p := range resumed {
					p.Value.Data.CopyFrom(first[i].Value.Data)
				}
				opt2, err := build(resumed)
				require.NoError(t, err)
				require.NoError(t, opt2.Load(path))
				require.EqualValues(t, 3, opt2.Steps(), "Steps after Load")
				require.Equal(t, opt.LR(0), opt2.LR(0), "LR after Load")
				for k := 3; k < 5; k++ {
					resumeGrads(resumed, k)
					opt2.Step()
				}
				for i, p := range resumed {
					want, got := straight[i].Value.Data.ToFloat64s(), p.Value.Data.ToFloat64s()
					for j := range want {
						require.Equal(t, want[j], got[j], "%s[%d]: after resuming vs uninterrupted", p.Name, j)
					}
				}
			})
		}
	}
}

// TestLoadRestoresHyperParameters checks that Load replaces the config and
// the groups' LR and weight decay with the saved ones, as torch's
// load_state_dict does.
func TestLoadRestoresHyperParameters(t *testing.T) {
	ps := resumeModel(tensor.Float64)
	saved, _ := NewAdamW(ps, AdamWConfig{LR: 3e-4, Beta1: 0.8, Beta2: 0.9, Eps: 1e-6, WeightDecay: 0.2, AMSGrad: true, Decay: DecayRank2})
	resumeGrads(ps, 0)
	saved.Step()
	path := filepath.Join(t.TempDir(), "s.safetensors")
	require.NoError(t, saved.Save(path))
	loaded, _ := NewAdamW(ps, AdamWConfig{LR: 1, Beta1: 0.5, Beta2: 0.5, Eps: 1, WeightDecay: 0.5, Decay: DecayRank2})
	require.NoError(t, loaded.Load(path))
	got, want := loaded.Config(), saved.Config()
	got.Decay, want.Decay = nil, nil
	assert.Equal(t, want, got, "config")
	assert.Equal(t, 3e-4, loaded.LR(0), "LR")
	assert.Equal(t, 0.2, loaded.groups[0].WeightDecay, "weight decay")
}

// writeState saves a float64 AdamW state after one step and returns its path.
func writeState(t *testing.T) string {
	t.Helper()
	ps := resumeModel(tensor.Float64)
	opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Decay: DecayRank2})
	require.NoError(t, err)
	resumeGrads(ps, 0)
	opt.Step()
	path := filepath.Join(t.TempDir(), "adamw.safetensors")
	require.NoError(t, opt.Save(path))
	return path
}

// rewrite copies the state file at path with edit applied to its tensors and
// metadata, and returns the new file's path.
func rewrite(t *testing.T, path string, edit func(ts map[string]safetensors.Tensor, meta map[string]string)) string {
	t.Helper()
	f, err := safetensors.Open(path)
	require.NoError(t, err)
	defer f.Close()
	ts := map[string]safetensors.Tensor{}
	for _, name := range f.Names() {
		info, _ := f.Info(name)
		raw, err := f.Raw(name)
		require.NoError(t, err)
		ts[name] = safetensors.Tensor{Name: name, DType: info.DType, Shape: info.Shape, Data: raw}
	}
	meta := f.Metadata()
	edit(ts, meta)
	var list []safetensors.Tensor
	for name, tt := range ts {
		tt.Name = name
		list = append(list, tt)
	}
	out := filepath.Join(t.TempDir(), "edited.safetensors")
	require.NoError(t, safetensors.Write(out, list, meta))
	return out
}

// TestLoadErrors checks that every kind of bad state file is rejected with an
// error that names the file and the parameter, tensor or field, and that the
// optimizer is left unchanged.
func TestLoadErrors(t *testing.T) {
	good := writeState(t)
	cases := []struct {
		name string
		path func() string
		want []string // substrings of the error besides the path
	}{
		{"missing file", func() string { return filepath.Join(t.TempDir(), "none.safetensors") }, []string{"no such file"}},
		{"not a state file", func() string {
			return rewrite(t, good, func(_ map[string]safetensors.Tensor, m map[string]string) { delete(m, "format") })
		}, []string{"not a daa optimizer state file"}},
		{"another optimizer", func() string {
			return rewrite(t, good, func(_ map[string]safetensors.Tensor, m map[string]string) { m["optimizer"] = "SGD" })
		}, []string{"SGD state"}},
		{"bad config", func() string {
			return rewrite(t, good, func(_ map[string]safetensors.Tensor, m map[string]string) {
				m["config"] = strings.Replace(m["config"], `"beta2":0.95`, `"beta2":1.5`, 1)
			})
		}, []string{"Beta2 = 1.5"}},
		{"unknown config field", func() string {
			return rewrite(t, good, func(_ map[string]safetensors.Tensor, m map[string]string) {
				m["config"] = strings.Replace(m["config"], `{`, `{"momentum":0.9,`, 1)
			})
		}, []string{"momentum"}},
		{"different parameter", func() string {
			return rewrite(t, good, func(_ map[string]safetensors.Tensor, m map[string]string) {
				m["groups"] = strings.Replace(m["groups"], `"w"`, `"w2"`, 1)
			})
		}, []string{`"w2"`, `"w"`}},
		{"wrong shape", func() string {
			return rewrite(t, good, func(ts map[string]safetensors.Tensor, _ map[string]string) {
				x := ts["exp_avg.w"]
				x.Shape = []int{5, 4}
				ts["exp_avg.w"] = x
			})
		}, []string{`"w"`, "[4 5]", "[5 4]"}},
		{"wrong dtype", func() string {
			return rewrite(t, good, func(ts map[string]safetensors.Tensor, _ map[string]string) {
				x := ts["exp_avg_sq.b"]
				x.DType, x.Data = safetensors.F32, x.Data[:len(x.Data)/2]
				ts["exp_avg_sq.b"] = x
			})
		}, []string{`"b"`, "F32"}},
		{"missing state tensor", func() string {
			return rewrite(t, good, func(ts map[string]safetensors.Tensor, _ map[string]string) { delete(ts, "exp_avg.big") })
		}, []string{`"big"`, "exp_avg.big"}},
		{"state without step", func() string {
			return rewrite(t, good, func(ts map[string]safetensors.Tensor, _ map[string]string) { delete(ts, "step.w") })
		}, []string{`"w"`, "step.w"}},
		{"unexpected tensor", func() string {
			return rewrite(t, good, func(ts map[string]safetensors.Tensor, _ map[string]string) {
				x := ts["exp_avg.w"]
				x.Name = "max_exp_avg_sq.w"
				ts[x.Name] = x
			})
		}, []string{"max_exp_avg_sq.w"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path()
			ps := resumeModel(tensor.Float64)
			opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Decay: DecayRank2})
			require.NoError(t, err)
			err = opt.Load(path)
			require.Error(t, err, "Load accepted the file")
			for _, want := range append(c.want, path) {
				assert.ErrorContains(t, err, want)
			}
			// A failed Load leaves the optimizer unchanged.
			assert.Zero(t, opt.Steps(), "Steps")
			assert.Zero(t, opt.slots[0].step, "step of the first slot")
			assert.Nil(t, opt.slots[0].state, "state of the first slot")
			assert.Equal(t, 0.95, opt.Config().Beta2, "Beta2")
		})
	}
}

// TestSaveIsAtomic checks that Save leaves no temporary file behind and
// replaces an existing file.
func TestSaveIsAtomic(t *testing.T) {
	path := writeState(t)
	ps := resumeModel(tensor.Float32)
	opt, _ := NewSGD(ps, SGDConfig{LR: 0.1})
	require.NoError(t, opt.Save(path))
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "directory entries after Save")
	assert.NoError(t, opt.Load(path), "the replaced file does not load")
}
