package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMeanSEKnownValues checks MeanSE against values worked out by hand:
// [1 2 3 4] has mean 2.5, sample variance 5/3 and SE sqrt(5/12).
func TestMeanSEKnownValues(t *testing.T) {
	cases := []struct {
		name     string
		values   []float64
		clusters []int
		mean, se float64
		units    int
	}{
		{"iid", []float64{1, 2, 3, 4}, nil, 2.5, math.Sqrt(5.0 / 12), 4},
		// Cluster means 1.5 and 3.5: their SE is sd([1.5 3.5])/sqrt(2) = 1.
		{"two equal clusters", []float64{1, 2, 3, 4}, []int{7, 7, 9, 9}, 2.5, 1, 2},
		// Unequal clusters, by the sandwich formula: deviations from 2.5 sum
		// to -1.5 and +1.5, SE^2 = 2/1 * (2.25+2.25) / 16 = 9/16.
		{"unequal clusters", []float64{1, 2, 3, 4}, []int{0, 1, 1, 1}, 2.5, 0.75, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := MeanSE(c.values, c.clusters)
			assert.InDelta(t, c.mean, e.Mean, 1e-12, "mean")
			assert.InDelta(t, c.se, e.SE, 1e-12, "SE")
			assert.Equal(t, c.units, e.Units, "units")
			assert.Equal(t, len(c.values), e.N, "N")
		})
	}
}

func TestMeanSEDegenerate(t *testing.T) {
	e := MeanSE(nil, nil)
	assert.True(t, math.IsNaN(e.Mean) && math.IsNaN(e.SE), "MeanSE(nil) = %+v, want NaN mean and SE", e)
	assert.Zero(t, e.N, "MeanSE(nil): N")
	e = MeanSE([]float64{3}, nil)
	assert.Equal(t, 3.0, e.Mean, "MeanSE([3]): mean")
	assert.True(t, math.IsNaN(e.SE), "MeanSE([3]): SE %v, want NaN", e.SE)
	e = MeanSE([]float64{3, 5}, []int{1, 1})
	assert.Equal(t, 4.0, e.Mean, "MeanSE one cluster: mean")
	assert.True(t, math.IsNaN(e.SE), "MeanSE one cluster: SE %v, want NaN", e.SE)
	assert.Equal(t, 1, e.Units, "MeanSE one cluster: units")
	assert.Panics(t, func() { MeanSE([]float64{1, 2}, []int{0}) }, "MeanSE with mismatched clusters")
}

// TestMeanSEClusteredCoverage checks that the clustered standard error is
// calibrated when observations share a strong per-prompt effect: over 2000
// simulated experiments the interval mean ± 1.96 SE must cover the true mean
// 0.95 of the time (binomial sd of the coverage 0.005; tolerance ±0.025), while
// the naive iid SE, which ignores the clustering, must under-cover.
func TestMeanSEClusteredCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const experiments, prompts, perPrompt = 2000, 40, 8
	var coveredClustered, coveredIID int
	values := make([]float64, prompts*perPrompt)
	clusters := make([]int, prompts*perPrompt)
	for range experiments {
		for p := range prompts {
			effect := rng.NormFloat64() // shared by every observation of the prompt
			for s := range perPrompt {
				values[p*perPrompt+s] = effect + 0.5*rng.NormFloat64()
				clusters[p*perPrompt+s] = p
			}
		}
		if e := MeanSE(values, clusters); math.Abs(e.Mean) < 1.96*e.SE {
			coveredClustered++
		}
		if e := MeanSE(values, nil); math.Abs(e.Mean) < 1.96*e.SE {
			coveredIID++
		}
	}
	assert.InDelta(t, 0.95, float64(coveredClustered)/experiments, 0.025, "clustered SE coverage")
	assert.LessOrEqual(t, float64(coveredIID)/experiments, 0.8, "iid SE coverage on clustered data, want well below 0.95")
}
