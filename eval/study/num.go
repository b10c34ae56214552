package study

import (
	"math"
	"strconv"
)

// Num is a float64 that may be undefined (NaN): a standard error from a
// single prompt, a regression on constant data, a correlation of a constant.
// JSON has no NaN, so it is written as null and read back as NaN.
type Num float64

// MarshalJSON writes non-finite values as null.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = Num(f)
	return err
}
