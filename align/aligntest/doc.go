// Package aligntest checks DAA loss implementations against reference test
// vectors: files of the daa_losses.json schema (format
// "daa-loss-test-vectors", see ../shared/reference/daa_losses.md), whose
// values, gradients and metrics come from an independent PyTorch float64
// implementation.
//
// For each case it builds per-token inputs as autograd parameters, runs a
// LossFunc, calls Backward, and compares to the file's tolerance (rtol 1e-9,
// atol 1e-12 for daa_losses.json): the batch loss, the per-pair losses, the
// gradient with respect to every sequence log-prob and every token log-prob
// (padding, reference and KL inputs must get none), the metrics and the
// components. Each disagreement is a Mismatch naming the case id and the
// field.
//
// Check a loss in one line of a test:
//
//	func TestMyLoss(t *testing.T) {
//		aligntest.Run(t, "testdata/my_vectors.json", map[string]aligntest.LossFunc{
//			"my_loss": func(cfg align.Config, in *align.TokenBatch) (*align.Output, error) {
//				loss := &align.Loss{Name: "my_loss", Config: cfg, Func: MyLoss}
//				return loss.ComputeTokens(in)
//			},
//		})
//	}
//
// Check is the same without *testing.T, and Registry gives a LossFunc for
// every loss registered in package align.
package aligntest
