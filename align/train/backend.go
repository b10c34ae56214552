package train

import (
	"fmt"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// Backends: how the trainer runs its models (Config.Backend).
const (
	// BackendEngine scores and back-propagates with the fused float32
	// engine of package pythia/fast: a training engine on the policy, an
	// inference engine on the policy for evaluation, and one on the
	// reference (bfloat16 with Config.BF16Reference). float32 only. A
	// LoRA policy's frozen base may be bfloat16 (Data.BF16Base), read by
	// all three engines.
	BackendEngine = "engine"
	// BackendAutograd runs pythia.Model's autograd graph (float32 or
	// float64): the reference implementation, and the float64 path.
	BackendAutograd = "autograd"
)

// backend returns the configured backend for a policy of dtype dt: Backend,
// or by default the engine for float32 and autograd for float64. It returns
// an error for an unknown name, the engine on a float64 policy, or
// bf16_reference without the engine.
func (c Config) backend(dt tensor.DType) (string, error) {
	b := c.Backend
	if b == "" {
		b = BackendAutograd
		if dt == tensor.Float32 {
			b = BackendEngine
		}
	}
	switch b {
	case BackendEngine:
		if dt != tensor.Float32 {
			return "", fmt.Errorf("train: backend %q needs a float32 policy; this one is %s (use %q)", b, dt, BackendAutograd)
		}
	case BackendAutograd:
		if c.BF16Reference {
			return "", fmt.Errorf("train: bf16_reference needs backend %q", BackendEngine)
		}
	default:
		return "", fmt.Errorf("train: backend = %q; want %q or %q (or empty: the engine for float32, autograd for float64)", b, BackendEngine, BackendAutograd)
	}
	if err := c.checkPrecision(b); err != nil { // precision.go
		return "", err
	}
	return b, nil
}

// policyScorer returns the scorer that trains the policy.
func (t *Trainer) policyScorer() (pythia.Scorer, error) {
	if t.backend == BackendAutograd {
		return t.policy.Scorer(), nil
	}
	e, err := t.newEngine(t.policy, t.rows(t.cfg.BatchSize), false)
	if err != nil {
		return nil, fmt.Errorf("train: policy engine: %w", err)
	}
	return t.withPrecision(e), nil
}

// evalScorer returns the scorer that evaluates the current policy without
// gradients, made on first use (an inference engine reads the policy's
// weights at every call, so it stays current).
func (t *Trainer) evalScorer() (pythia.Scorer, error) {
	if t.evalSc != nil {
		return t.evalSc, nil
	}
	if t.backend == BackendAutograd {
		t.evalSc = t.policy.Frozen().Scorer()
		return t.evalSc, nil
	}
	e, err := t.newEngine(t.policy, t.rows(t.cfg.EvalBatchSize), true)
	if err != nil {
		return nil, fmt.Errorf("train: evaluation engine: %w", err)
	}
	t.evalSc = t.withPrecision(e)
	return e, nil
}

// referenceScorer returns a scorer of t.refModel without gradients, for
// batches of up to max(BatchSize, EvalBatchSize) pairs. An engine reads the
// reference's weights at every call (TR-DPO's in-place updates are seen);
// a bfloat16 engine holds its own copy, made again by refreshReference.
// On a bfloat16 base (Data.BF16Base) it reads the policy's base bits.
func (t *Trainer) referenceScorer() (pythia.Scorer, error) {
	if t.backend == BackendAutograd {
		return t.refModel.Frozen().Scorer(), nil
	}
	n := 2 * max(t.cfg.BatchSize, t.cfg.EvalBatchSize)
	var e *fast.Engine
	var err error
	if t.cfg.BF16Reference {
		e, err = fast.NewInferenceBF16(t.refModel, n, t.cfg.MaxLength)
	} else {
		e, err = t.newEngine(t.refModel, n, true)
	}
	if err != nil {
		return nil, fmt.Errorf("train: reference engine: %w", err)
	}
	return t.withPrecision(e), nil
}

// newEngine returns an engine on m for batches of rows sequences of up to
// MaxLength tokens (forward-only with inference). On a bfloat16 base
// (Data.BF16Base) every engine reads the same bits, and all widen their
// matrices into the first one's buffer (fast.Options.ShareWidening): the
// trainer runs one engine at a time, and each product widens its matrix
// anew.
func (t *Trainer) newEngine(m *pythia.Model, rows int, inference bool) (*fast.Engine, error) {
	o := fast.Options{Inference: inference, BF16Base: t.bf16Base}
	if t.bf16Base != nil {
		o.ShareWidening = t.widening
	}
	e, err := fast.NewWithOptions(m, rows, t.cfg.MaxLength, o)
	if err != nil {
		return nil, err
	}
	if t.bf16Base != nil && t.widening == nil {
		t.widening = e
	}
	return e, nil
}

// refreshReference makes the reference scorer see t.refModel's weights
// after they changed (a TR-DPO sync, Resume): only a bfloat16 engine,
// which holds a copy, needs it.
func (t *Trainer) refreshReference() error {
	if t.refModel == nil || !t.cfg.BF16Reference {
		return nil
	}
	sc, err := t.referenceScorer()
	if err != nil {
		return err
	}
	t.refSc = sc
	return nil
}

// referenceKind names how the reference is scored, for the reference
// cache's key: "autograd", "engine" or "engine-bf16", with "+bf16-products"
// under precision bf16 (precision.go).
func (t *Trainer) referenceKind() string {
	if t.backend == BackendEngine && t.cfg.BF16Reference {
		return "engine-bf16" + precisionKind(t.cfg)
	}
	return t.backend + precisionKind(t.cfg)
}

// rows returns the sequences scored for a batch of n examples: 2n for
// preference pairs (chosen and rejected), n for SFT.
func (t *Trainer) rows(n int) int {
	if t.sft {
		return n
	}
	return 2 * n
}
