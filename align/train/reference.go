package train

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// setReference installs the reference model the loss needs (see New).
func (t *Trainer) setReference(ref *pythia.Model) error {
	if !t.cfg.usesReference() {
		return nil
	}
	ref, loraErr := t.loraReference(ref) // a LoRA policy's reference: its base (lora.go)
	if loraErr != nil {
		return loraErr
	}
	if ref == nil && t.cfg.PrecomputeRefLogProbs {
		// Scored once, before any update: the policy itself is the initial model.
		t.refModel = t.policy
		var err error
		t.refSc, err = t.referenceScorer()
		return err
	}
	if ref == nil {
		ref = t.policy.Clone()
	}
	if ref.DType() != t.policy.DType() || ref.Config.VocabSize != t.policy.Config.VocabSize {
		return fmt.Errorf("train: reference is %s with a vocabulary of %d, the policy %s with %d; want the same",
			ref.DType(), ref.Config.VocabSize, t.policy.DType(), t.policy.Config.VocabSize)
	}
	refParams := ref.Params()
	for _, r := range refParams {
		for _, p := range t.params {
			if r.Value.Data == p.Value.Data {
				return fmt.Errorf("train: the reference's %s is the policy's %s tensor; pass a separate model (or nil for a copy of the policy)", r.Name, p.Name)
			}
		}
	}
	if t.cfg.SyncRefModel {
		if len(refParams) != len(t.params) {
			return fmt.Errorf("train: sync_ref_model: the reference has %d parameters, the policy %d", len(refParams), len(t.params))
		}
		for i, r := range refParams {
			if p := t.params[i]; r.Name != p.Name || !slices.Equal(r.Value.Shape(), p.Value.Shape()) {
				return fmt.Errorf("train: sync_ref_model: reference parameter %s %v, policy %s %v", r.Name, r.Value.Shape(), p.Name, p.Value.Shape())
			}
		}
	}
	t.refModel = ref
	var err error
	t.refSc, err = t.referenceScorer()
	return err
}

// refSums returns the reference sums of the pairs idx of s, [B] each:
// gathered from the precomputed cache, or scored by the live reference.
func (t *Trainer) refSums(s *split, idx []int, pb *data.PairBatch) (chosen, rejected *autograd.Value, err error) {
	if s.ref != nil {
		c, r := make([]float64, len(idx)), make([]float64, len(idx))
		for k, i := range idx {
			c[k], r[k] = s.ref.chosen[i], s.ref.rejected[i]
		}
		dt := t.policy.DType()
		return autograd.Const(tensor.FromValues(dt, c, len(c))), autograd.Const(tensor.FromValues(dt, r, len(r))), nil
	}
	chosen, rejected, err = scoreBatch(t.refSc, pb, t.policy.DType(), false).sums(pb.Pairs, t.cfg.Loss.LDAlpha)
	if err != nil {
		return nil, nil, fmt.Errorf("reference: %w", err)
	}
	return chosen, rejected, nil
}

// precomputeReference fills (or reads) the reference cache of the train and
// eval pairs, then drops the reference model, which is no longer needed.
func (t *Trainer) precomputeReference() error {
	wh, err := weightsHash(t.refModel, t.referenceKind())
	if err != nil {
		return err
	}
	dir := t.cfg.RefCacheDir
	if dir == "" {
		dir = filepath.Join(t.cfg.OutputDir, "ref_logps")
	}
	for _, s := range []*split{&t.train, &t.eval} {
		if s.set == nil {
			continue
		}
		n := len(s.set.Pairs)
		compute := func() (chosen, rejected []float64, err error) {
			chosen, rejected = make([]float64, 0, n), make([]float64, 0, n)
			for lo := 0; lo < n; lo += t.cfg.EvalBatchSize {
				idx := span(lo, min(n, lo+t.cfg.EvalBatchSize))
				pb, err := t.collate(s, idx)
				if err != nil {
					return nil, nil, err
				}
				c, r, err := scoreBatch(t.refSc, pb, t.policy.DType(), false).sums(pb.Pairs, t.cfg.Loss.LDAlpha)
				if err != nil {
					return nil, nil, fmt.Errorf("train: %s pairs %d..%d: reference: %w", s.set.Name, lo, idx[len(idx)-1], err)
				}
				chosen = append(chosen, c.Data.ToFloat64s()...)
				rejected = append(rejected, r.Data.ToFloat64s()...)
			}
			return chosen, rejected, nil
		}
		if s.ref, err = loadOrComputeRef(dir, s.name, s.set.Name, n, s.hash, wh, t.cfg.Loss.LDAlpha, compute); err != nil {
			return err
		}
	}
	t.refModel, t.refSc = nil, nil
	return nil
}
