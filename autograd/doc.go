// Package autograd is a reverse-mode automatic differentiation engine over
// tensor operations.
//
// A Value holds a tensor (Data), its gradient (Grad) and, when it was made by
// an operation on values that require gradients, the inputs and the function
// that propagates a gradient back to them. Backward on a scalar value walks
// the recorded graph once, in reverse topological order, on the calling
// goroutine; the parallelism lives inside the tensor kernels.
//
// Leaves come from Param (requires a gradient: model weights) and Const (does
// not: data, masks, a frozen reference model's weights). An operation records
// its inputs only when at least one of them requires a gradient, so code that
// runs on constants builds no graph and keeps no activations. Detach cuts a
// value from its history; that, not a global switch, is the no-grad scope:
// a frozen model's weights are Const values sharing storage with a trained
// model's Param values, and concurrent goroutines never see each other's mode.
//
// Gradients of leaves accumulate across Backward calls, as in PyTorch, until
// ZeroGrad; gradients of intermediate values are released as soon as they
// have been propagated, unless RetainGrad asks to keep (and accumulate) them. CheckGrad compares the gradients of any function
// built from these operations with central finite differences in float64:
// it is how users unit-test a custom loss.
package autograd
