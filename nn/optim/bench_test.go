package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// benchModel returns float32 parameters with gradients: one [rows, cols]
// matrix per layer, or, with many, a GPT-NeoX-like mix of matrices and
// vectors of about the same total size.
func benchModel(total int, many bool) []nn.Param {
	rng := tensor.NewRNG(1)
	var shapes [][]int
	if many {
		// per "layer": a 3h x h matrix, an h x h matrix, two 4h x h matrices, six h-vectors
		h := 256
		for n := 0; n < total; n += 12*h*h + 6*h {
			shapes = append(shapes, []int{3 * h, h}, []int{h, h}, []int{4 * h, h}, []int{h, 4 * h})
			for range 6 {
				shapes = append(shapes, []int{h})
			}
		}
	} else {
		shapes = [][]int{{total / 1024, 1024}}
	}
	var ps []nn.Param
	for i, s := range shapes {
		v := autograd.Param(tensor.RandN(rng, tensor.Float32, 0, 0.02, s...))
		v.Grad = tensor.RandN(rng, tensor.Float32, 0, 1e-3, s...)
		ps = append(ps, nn.Param{Name: fmt.Sprint("p", i), Value: v})
	}
	return ps
}

// benchStep reports parameters per second and memory traffic for Step on
// float32 parameters (bytesPerParam: the bytes of parameter, gradient and
// state read and written per element).
func benchStep(b *testing.B, opt Optimizer, ps []nn.Param, bytesPerParam int) {
	n := 0
	for _, p := range ps {
		n += p.Value.Data.Len()
	}
	opt.Step() // allocate the state
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		opt.Step()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)*float64(b.N)/sec/1e6, "Mparam/s")
	b.ReportMetric(float64(n)*float64(bytesPerParam)*float64(b.N)/sec/1e9, "GB/s")
}

// BenchmarkAdamWStep: AdamW on 4M float32 parameters, one matrix or a
// GPT-NeoX-like mix of tensors. Traffic per element: read p, g, m, v and
// write p, m, v: 28 bytes.
func BenchmarkAdamWStep(b *testing.B) {
	for _, many := range []bool{false, true} {
		b.Run(fmt.Sprintf("4M/many=%v", many), func(b *testing.B) {
			ps := benchModel(4<<20, many)
			opt, err := NewAdamW(ps, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Decay: DecayRank2})
			require.NoError(b, err)
			benchStep(b, opt, ps, 28)
		})
	}
}

// BenchmarkRMSPropStep: centered RMSProp with momentum on 4M float32
// parameters. Traffic per element: read p, g, sa, ga, buf and write p, sa,
// ga, buf: 36 bytes.
func BenchmarkRMSPropStep(b *testing.B) {
	ps := benchModel(4<<20, false)
	cfg := DefaultRMSProp()
	cfg.Centered, cfg.Momentum = true, 0.9
	opt, err := NewRMSProp(ps, cfg)
	require.NoError(b, err)
	benchStep(b, opt, ps, 36)
}

// BenchmarkSGDStep: SGD with momentum on 4M float32 parameters. Traffic per
// element: read p, g, buf and write p, buf: 20 bytes.
func BenchmarkSGDStep(b *testing.B) {
	ps := benchModel(4<<20, false)
	opt, err := NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9})
	require.NoError(b, err)
	benchStep(b, opt, ps, 20)
}

// BenchmarkClipGradNorm: the global norm of 4M float32 gradients in a
// GPT-NeoX-like mix of tensors, below maxNorm so nothing is scaled (the
// scaling is one more pass like the norm's). Traffic: 4 bytes per element.
func BenchmarkClipGradNorm(b *testing.B) {
	ps := benchModel(4<<20, true)
	n := 0
	for _, p := range ps {
		n += p.Value.Data.Len()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, err := ClipGradNorm(ps, math.MaxFloat64, false)
		require.NoError(b, err)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)*float64(b.N)/sec/1e6, "Mparam/s")
	b.ReportMetric(float64(n)*4*float64(b.N)/sec/1e9, "GB/s")
}
