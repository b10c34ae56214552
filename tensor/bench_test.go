package tensor

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// benchOp checks once that op's result has shape want (the output the
// traffic figure counts), then runs op b.N times and reports the memory
// traffic it must do (bytes read plus bytes written per call, each counted
// once) as GB/s.
func benchOp(b *testing.B, bytesPerOp int, want []int, op func() *Tensor) {
	require.Equal(b, want, op().Shape(), "result shape")
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(bytesPerOp)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}

// benchRows and benchCols make the ~4M-element float32 operand of the
// element-wise and reduction benchmarks (16 MiB, larger than the caches).
const benchRows, benchCols = 2048, 2048

// The vocabulary-sized rows of a Pythia forward pass: [tokens, vocab].
const benchTokens, benchVocab = 512, 50304

func benchInput(shape ...int) *Tensor { return RandN(NewRNG(1), Float32, 0, 1, shape...) }

func BenchmarkAddSameShape(b *testing.B) {
	x, y := benchInput(benchRows, benchCols), benchInput(benchRows, benchCols)
	benchOp(b, 3*4*x.Len(), []int{benchRows, benchCols}, func() *Tensor { return Add(x, y) })
}

func BenchmarkAddBroadcastRow(b *testing.B) {
	x, row := benchInput(benchRows, benchCols), benchInput(benchCols)
	benchOp(b, 2*4*x.Len(), []int{benchRows, benchCols}, func() *Tensor { return Add(x, row) })
}

func BenchmarkExp(b *testing.B) {
	x := benchInput(benchRows, benchCols)
	benchOp(b, 2*4*x.Len(), []int{benchRows, benchCols}, func() *Tensor { return Exp(x) })
}

func BenchmarkGelu(b *testing.B) {
	x := benchInput(benchRows, benchCols)
	benchOp(b, 2*4*x.Len(), []int{benchRows, benchCols}, func() *Tensor { return Gelu(x) })
}

func BenchmarkSumLastAxis(b *testing.B) {
	x := benchInput(benchRows, benchCols)
	benchOp(b, 4*x.Len(), []int{benchRows}, func() *Tensor { return Sum(x, -1) })
}

func BenchmarkLogSumExpRows(b *testing.B) {
	x := benchInput(benchRows, benchCols)
	benchOp(b, 4*x.Len(), []int{benchRows}, func() *Tensor { return LogSumExp(x, -1) })
}

func BenchmarkSoftmaxRows(b *testing.B) {
	x := benchInput(benchTokens, benchVocab)
	benchOp(b, 2*4*x.Len(), []int{benchTokens, benchVocab}, func() *Tensor { return Softmax(x, -1) })
}

func BenchmarkLogSoftmaxRows(b *testing.B) {
	x := benchInput(benchTokens, benchVocab)
	benchOp(b, 2*4*x.Len(), []int{benchTokens, benchVocab}, func() *Tensor { return LogSoftmax(x, -1) })
}

func BenchmarkLogSoftmaxBackwardRows(b *testing.B) {
	y, dy := LogSoftmax(benchInput(benchTokens, benchVocab), -1), benchInput(benchTokens, benchVocab)
	benchOp(b, 3*4*y.Len(), []int{benchTokens, benchVocab}, func() *Tensor { return LogSoftmaxBackward(y, dy, -1) })
}
