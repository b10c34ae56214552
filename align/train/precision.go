package train

import (
	"fmt"

	"github.com/daalab/daa/pythia/fast"
)

// Precisions of the engine's matrix products (Config.Precision).
const (
	// PrecisionFloat32 computes every product in float32 (the default).
	PrecisionFloat32 = "float32"
	// PrecisionBF16 is mixed precision (fast.BF16): the policy's,
	// evaluation's and reference's products take bfloat16 inputs and sum
	// in float32, while weights, gradients, optimizer state, losses and
	// log-prob sums stay float32/float64. Engine backend only.
	PrecisionBF16 = "bf16"
)

// enginePrecision returns the engine precision Precision names ("" is
// float32).
func (c Config) enginePrecision() (fast.Precision, error) {
	p, err := fast.ParsePrecision(c.Precision)
	if err != nil {
		return fast.Float32, fmt.Errorf("train: precision = %q; want %q or %q", c.Precision, PrecisionFloat32, PrecisionBF16)
	}
	return p, nil
}

// checkPrecision returns an error if Precision is unknown, or bf16 on
// backend b other than the engine.
func (c Config) checkPrecision(b string) error {
	p, err := c.enginePrecision()
	if err != nil {
		return err
	}
	if p == fast.BF16 && b != BackendEngine {
		return fmt.Errorf("train: precision %q needs backend %q", c.Precision, BackendEngine)
	}
	return nil
}

// precisionName returns the precision a configuration ran with, "" read as
// float32 (checkpoints written before the option).
func precisionName(c Config) string {
	p, err := c.enginePrecision()
	if err != nil {
		return c.Precision
	}
	return p.String()
}

// precisionKind returns the suffix of the reference cache's key for c's
// precision: none for float32 (the keys of earlier runs), "+bf16-products"
// for bf16, whose reference log-probs differ.
func precisionKind(c Config) string {
	if precisionName(c) == PrecisionFloat32 {
		return ""
	}
	return "+" + precisionName(c) + "-products"
}

// withPrecision sets the configured precision (validated by New) on an
// engine the trainer made, and returns it.
func (t *Trainer) withPrecision(e *fast.Engine) *fast.Engine {
	p, _ := t.cfg.enginePrecision()
	e.SetPrecision(p)
	return e
}
