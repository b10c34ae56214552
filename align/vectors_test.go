package align_test

import (
	"flag"
	"os"
	"strings"
	"testing"

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
	if err != nil {
		t.Fatal(err)
	}
	rep := aligntest.Run(t, path, aligntest.Registry())
	if strings.Contains(flag.Lookup("test.run").Value.String(), "/") {
		return // -run selected some cases: the counts below are for full runs
	}
	if rep.Cases != len(f.Cases) {
		t.Fatalf("ran %d cases, the file holds %d", rep.Cases, len(f.Cases))
	}
	for loss, n := range f.Summary.CasesPerLoss {
		if rep.PerLoss[loss] != n {
			t.Errorf("loss %s: ran %d cases, summary says %d", loss, rep.PerLoss[loss], n)
		}
	}
	if os.Getenv(aligntest.EnvVectors) == "" && rep.Cases != 239 {
		t.Errorf("the shared reference file should hold 239 cases; ran %d", rep.Cases)
	}
	t.Logf("%d cases, %d losses", rep.Cases, len(rep.PerLoss))
}
