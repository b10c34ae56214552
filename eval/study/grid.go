package study

import (
	"fmt"
	"slices"
	"sort"
)

// RunSpec names one DAA training run of the grid.
type RunSpec struct {
	Objective string  `json:"objective"`
	Beta      float64 `json:"beta"`
	Size      string  `json:"size"`
	Seed      uint64  `json:"seed"`
}

func (r RunSpec) String() string {
	return fmt.Sprintf("%s beta=%g size=%s seed=%d", r.Objective, r.Beta, r.Size, r.Seed)
}

// ID is a file-name-safe identifier of the run: its runs/<ID>.json.
func (r RunSpec) ID() string {
	return fmt.Sprintf("%s_b%g_%s_s%d", r.Objective, r.Beta, r.Size, r.Seed)
}

// Grid returns every run of the study (seeds x sizes x objectives x betas,
// a size's objectives being LossesOf) in a fixed order.
func Grid(o Options) []RunSpec {
	var specs []RunSpec
	for s := 0; s < o.Seeds; s++ {
		for _, size := range o.Sizes {
			for _, obj := range o.LossesOf(size) {
				for _, beta := range o.Betas {
					specs = append(specs, RunSpec{Objective: obj, Beta: beta, Size: size, Seed: o.Seed + uint64(s)})
				}
			}
		}
	}
	return specs
}

// LossesOf returns the objectives run on a size: Losses, restricted to
// SizeLosses[size] when the size is listed there.
func (o Options) LossesOf(size string) []string {
	only, ok := o.SizeLosses[size]
	if !ok {
		return o.Losses
	}
	var out []string
	for _, l := range o.Losses {
		for _, m := range only {
			if l == m {
				out = append(out, l)
			}
		}
	}
	return out
}

// commonLosses returns the objectives that every one of sizes runs.
func (o Options) commonLosses(sizes []string) []string {
	var out []string
	for _, obj := range o.Losses {
		every := true
		for _, size := range sizes {
			every = every && slices.Contains(o.LossesOf(size), obj)
		}
		if every {
			out = append(out, obj)
		}
	}
	return out
}

// SFTStepsOf returns the SFT steps of a size: SizeSFTSteps[size] when
// listed, else SFTSteps.
func (o Options) SFTStepsOf(size string) int {
	if n, ok := o.SizeSFTSteps[size]; ok {
		return n
	}
	return o.SFTSteps
}

// SFTLROf returns the SFT learning rate of a size: SizeSFTLR[size] when
// listed, else SFTLR.
func (o Options) SFTLROf(size string) float64 {
	if lr, ok := o.SizeSFTLR[size]; ok {
		return lr
	}
	return o.SFTLR
}

// DAALROf returns the DAA learning rate of a size: DAALR * DAALRBaseWidth
// / hidden width for a synthetic size when DAALRBaseWidth > 0, else DAALR
// (and always DAALR in the real mode, whose one model is the base).
func (o Options) DAALROf(size string) float64 {
	s, ok := modelSizes[size]
	if o.DAALRBaseWidth <= 0 || o.RealMode() || !ok {
		return o.DAALR
	}
	return o.DAALR * float64(o.DAALRBaseWidth) / float64(s.hidden)
}

// Shard returns the runs of shard i of n: every n-th run from i. The n
// shards partition specs. It panics unless 0 <= i < n.
func Shard(specs []RunSpec, i, n int) []RunSpec {
	if i < 0 || i >= n {
		panic(fmt.Sprintf("study: Shard(%d, %d): want 0 <= i < n", i, n))
	}
	var out []RunSpec
	for k, s := range specs {
		if k%n == i {
			out = append(out, s)
		}
	}
	return out
}

// RunResult is what one finished run writes to runs/<ID>.json: its spec,
// its evaluated checkpoints, its wall time, and the settings it was run
// with (Settings), which Merge compares with the grid it merges into.
type RunResult struct {
	Spec     RunSpec  `json:"spec"`
	Points   []Point  `json:"points"`
	Seconds  float64  `json:"seconds"`
	Settings *Options `json:"settings,omitempty"`
}

// SortResults orders results by seed, size, objective and beta.
func SortResults(rs []RunResult) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i].Spec, rs[j].Spec
		if a.Seed != b.Seed {
			return a.Seed < b.Seed
		}
		if a.Size != b.Size {
			return a.Size < b.Size
		}
		if a.Objective != b.Objective {
			return a.Objective < b.Objective
		}
		return a.Beta < b.Beta
	})
}

// hashString is FNV-1a, to derive per-run random streams from run names.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
