package scaling

import (
	"encoding/json"
	"math"
)

// intervalJSON is Interval on the wire: a NaN bound is null.
type intervalJSON struct {
	Lo, Hi *float64
}

// MarshalJSON writes {"Lo": lo, "Hi": hi} with null for a NaN bound (an
// interval over no resamples, such as the peak of fits that never peak),
// which encoding/json could not otherwise encode.
func (iv Interval) MarshalJSON() ([]byte, error) {
	bound := func(v float64) *float64 {
		if math.IsNaN(v) {
			return nil
		}
		return &v
	}
	return json.Marshal(intervalJSON{Lo: bound(iv.Lo), Hi: bound(iv.Hi)})
}

// UnmarshalJSON reads what MarshalJSON writes, null bounds as NaN.
func (iv *Interval) UnmarshalJSON(data []byte) error {
	var w intervalJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	iv.Lo, iv.Hi = math.NaN(), math.NaN()
	if w.Lo != nil {
		iv.Lo = *w.Lo
	}
	if w.Hi != nil {
		iv.Hi = *w.Hi
	}
	return nil
}
