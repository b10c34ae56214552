package optim

import (
	"fmt"
	"math"
)

// checkNonNegative returns an error naming the optimizer and field unless
// v is finite and >= 0.
func checkNonNegative(kind, field string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("optim: %s: %s = %v, want a finite value >= 0", kind, field, v)
	}
	return nil
}

// checkUnit returns an error naming the optimizer and field unless
// 0 <= v < 1.
func checkUnit(kind, field string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("optim: %s: %s = %v, want 0 <= %s < 1", kind, field, v, field)
	}
	return nil
}
