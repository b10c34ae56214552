// Package optim updates model parameters from their gradients: the
// optimizers AdamW, RMSProp and SGD with PyTorch's exact semantics,
// weight-decay groups, learning-rate schedules, global gradient-norm
// clipping, and optimizer state that saves and resumes bit for bit.
//
// # Optimizers
//
// AdamW, RMSProp and SGD reproduce torch.optim.AdamW, RMSprop and SGD
// operation for operation (the update rules are written out beside each
// kernel: adamwUpdate, rmspropUpdate, sgdUpdate), in float64 including where
// torch's CPU kernels fuse a multiply and an add: on every float64 case of
// testdata/optim_golden.json (six steps of Debian's PyTorch 1.13) they agree
// with torch bit for bit, and on the float32 cases (parameters of order 1)
// within 2.4e-7 absolute, mostly 1 ulp (see fma for why float32 does not
// fuse). Parameters (nn.Param) may be
// float32 or float64; each parameter's state has its dtype. Parameters whose
// Grad is nil are skipped, as in torch, and their per-parameter step count
// (which drives AdamW's bias correction) stays behind.
//
// Step updates Value.Data in place. It runs one parallel loop over all
// parameters laid end to end (internal/parallel), so a model of many small
// tensors still uses every core, and it allocates nothing once the state
// exists (the worker pool itself allocates two small objects per parallel
// call).
//
// # Groups and weight decay
//
// NewAdamW, NewRMSProp and NewSGD split the parameters with a DecayRule into
// a group with weight decay and one without: DecayRank2 (tensors of rank >=
// 2, the Pythia goldens' rule), DecayByName (Hugging Face Trainer's rule:
// not biases, not norms; see DecayMask) or DecayAll (torch's behaviour with a
// single group). NewAdamWGroups and the others take explicit Groups, each
// with its own learning rate and weight decay.
//
// # Schedules
//
// A Schedule multiplies every group's learning rate by a factor of the step
// number, as torch's LambdaLR does: LinearWarmup (the DAA paper's trainer),
// CosineWithWarmup and LinearWarmupDecay (Hugging Face's),
// LinearWarmupDecayToFloor and Constant. The optimizer counts its steps and
// applies Schedule(k) on its k-th Step (from 0).
//
// # Clipping
//
// ClipGradNorm is torch.nn.utils.clip_grad_norm_: one L2 norm over all
// gradients (accumulated in float64), scaled by max/(norm+1e-6) when that is
// below 1.
//
// # State
//
// Save writes the per-parameter state (torch's names: exp_avg, exp_avg_sq,
// max_exp_avg_sq, square_avg, grad_avg, momentum_buffer, step), keyed by
// parameter name, to a safetensors file atomically, with the hyper-parameters
// and step count as JSON metadata. Load checks every name, dtype and shape,
// names the file and the parameter in its errors, and restores the optimizer
// so that training continues exactly as if it had not stopped.
package optim
