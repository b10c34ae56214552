package fast

import "github.com/daalab/daa/pythia"

// benchPrecisions are the precisions of the training and DPO benchmarks:
// each BF16 sub-benchmark (name suffix /bf16) runs right after its
// float32 twin, so that the two compare in one run.
var benchPrecisions = []Precision{Float32, BF16}

// precisionSuffix returns the sub-benchmark name suffix of p: none for
// Float32, "/bf16" for BF16.
func precisionSuffix(p Precision) string {
	if p == Float32 {
		return ""
	}
	return "/" + p.String()
}

// newBenchReference returns the DPO benchmark's reference engine: float32
// (NewInference) or, for BF16, a bfloat16 copy of the weights multiplied
// directly (NewInferenceBF16 in BF16 precision), as align/train's bf16
// runs hold it.
func newBenchReference(ref *pythia.Model, p Precision) (*Engine, error) {
	if p == Float32 {
		return NewInference(ref, 2*benchPairs, benchSeq)
	}
	e, err := NewInferenceBF16(ref, 2*benchPairs, benchSeq)
	if err != nil {
		return nil, err
	}
	e.SetPrecision(p)
	return e, nil
}
