package align_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/aligntest"
)

// TestReferenceVectors runs every case of the DAA loss test vectors
// (../shared/reference/daa_losses.json, values, gradients and metrics from
// an independent PyTorch float64 implementation checked against 80-digit
// mpmath; or the file named by $DAA_LOSS_VECTORS) through the registry and
// compares to rtol 1e-9, atol 1e-12 (the file's tolerance_hint). Every case
// must run: a loss without a registered function fails the test.
func TestReferenceVectors(t *testing.T) {
	path := aligntest.VectorPath(t)
	f, err := aligntest.ReadFile(path)
	require.NoError(t, err)
	rep := aligntest.Run(t, path, aligntest.Registry())
	if strings.Contains(flag.Lookup("test.run").Value.String(), "/") {
		return // -run selected some cases: the counts below are for full runs
	}
	require.Equal(t, len(f.Cases), rep.Cases, "cases run vs cases in the file")
	for loss, n := range f.Summary.CasesPerLoss {
		assert.Equal(t, n, rep.PerLoss[loss], "loss %s: cases run vs the file's summary", loss)
	}
	if os.Getenv(aligntest.EnvVectors) == "" {
		assert.Equal(t, 239, rep.Cases, "cases in the shared reference file")
	}
	t.Logf("%d cases, %d losses", rep.Cases, len(rep.PerLoss))
}
