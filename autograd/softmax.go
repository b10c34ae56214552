package autograd

import "github.com/daalab/daa/tensor"

// Softmax returns exp(x)/sum(exp(x)) along axis.
// With y = softmax(x): dx = y * (dy - sum(dy * y)) along axis.
// It panics if axis is out of range.
func Softmax(x *Value, axis int) *Value {
	y := tensor.Softmax(x.Data, axis)
	return record("Softmax", y, func(g *tensor.Tensor) {
		x.accumulate(tensor.SoftmaxBackward(y, g, axis)) // one fused pass per row
	}, x)
}

// LogSoftmax returns x - logsumexp(x) along axis.
// With y = log_softmax(x): dx = dy - exp(y) * sum(dy) along axis.
// It panics if axis is out of range.
func LogSoftmax(x *Value, axis int) *Value {
	y := tensor.LogSoftmax(x.Data, axis)
	return record("LogSoftmax", y, func(g *tensor.Tensor) {
		x.accumulate(tensor.LogSoftmaxBackward(y, g, axis)) // one fused pass per row
	}, x)
}
