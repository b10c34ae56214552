package aligntest

import (
	"os"
	"testing"

	"github.com/daalab/daa/internal/shareddata"
)

// EnvVectors names the environment variable that points the reference test
// at another vector file of the same schema.
const EnvVectors = "DAA_LOSS_VECTORS"

// VectorPath returns $DAA_LOSS_VECTORS when it is set, else the shared
// reference file reference/daa_losses.json (skipping tb when absent).
func VectorPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(EnvVectors); p != "" {
		return p
	}
	return shareddata.Path(tb, "reference", "daa_losses.json")
}

// Run checks every case of the vector file at path against funcs, one
// subtest per case id (so `go test -run 'X/sigmoid/ld-02'` runs one case),
// reporting each mismatch with its case id. It fails t if the file cannot
// be read, holds no case, or a case's loss has no function, and returns the
// report (case counts) for further checks.
//
//	func TestMyLosses(t *testing.T) {
//		aligntest.Run(t, "testdata/my_vectors.json", map[string]aligntest.LossFunc{"my_loss": myLoss})
//	}
func Run(t *testing.T, path string, funcs map[string]LossFunc) *Report {
	t.Helper()
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("aligntest: %s holds no case", path)
	}
	rep := &Report{PerLoss: map[string]int{}}
	for i := range f.Cases {
		c := &f.Cases[i]
		t.Run(c.ID, func(t *testing.T) {
			ck := checkCase(c, funcs[c.Loss], f.Tolerance)
			for _, m := range ck.out {
				t.Error(m.Error())
			}
			rep.add(c, ck)
		})
	}
	t.Logf("aligntest: %s: %d cases over %d losses, %d mismatches (rtol %g, atol %g); worst |got-want|/(atol+rtol|want|) = %.3g at %s %s",
		path, rep.Cases, len(rep.PerLoss), len(rep.Mismatches), f.Tolerance.RTol, f.Tolerance.ATol, rep.Worst, rep.WorstCase, rep.WorstField)
	return rep
}
