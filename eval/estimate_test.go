package eval

import (
	"math"
	"math/rand/v2"
	"testing"
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
			if math.Abs(e.Mean-c.mean) > 1e-12 || math.Abs(e.SE-c.se) > 1e-12 || e.Units != c.units || e.N != len(c.values) {
				t.Errorf("MeanSE = %+v, want mean %v se %v units %d (tolerance 1e-12)", e, c.mean, c.se, c.units)
			}
		})
	}
}

func TestMeanSEDegenerate(t *testing.T) {
	if e := MeanSE(nil, nil); !math.IsNaN(e.Mean) || !math.IsNaN(e.SE) || e.N != 0 {
		t.Errorf("MeanSE(nil) = %+v, want NaN mean and SE", e)
	}
	if e := MeanSE([]float64{3}, nil); e.Mean != 3 || !math.IsNaN(e.SE) {
		t.Errorf("MeanSE([3]) = %+v, want mean 3 and NaN SE", e)
	}
	if e := MeanSE([]float64{3, 5}, []int{1, 1}); e.Mean != 4 || !math.IsNaN(e.SE) || e.Units != 1 {
		t.Errorf("MeanSE one cluster = %+v, want mean 4, NaN SE, 1 unit", e)
	}
	defer func() {
		if recover() == nil {
			t.Error("MeanSE with mismatched clusters did not panic")
		}
	}()
	MeanSE([]float64{1, 2}, []int{0})
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
	cov := float64(coveredClustered) / experiments
	if math.Abs(cov-0.95) > 0.025 {
		t.Errorf("clustered SE coverage %.3f, want 0.95 ± 0.025", cov)
	}
	if iid := float64(coveredIID) / experiments; iid > 0.8 {
		t.Errorf("iid SE coverage %.3f on clustered data, want well below 0.95 (< 0.8)", iid)
	}
}
