package nn

import (
	"fmt"

	"github.com/daalab/daa/autograd"
)

// Embedding returns the rows of weight [V, H] for the token ids [B][T] as a
// value [B, T, H]. The gradient of weight row v is the sum of the output
// gradients at every position holding v.
// It panics if ids is empty or ragged, or an id is outside [0, V).
func Embedding(weight *autograd.Value, ids [][]int) *autograd.Value {
	flat, b, t := Flatten("Embedding", ids)
	v := weight.Shape()[0]
	for i, id := range flat {
		if id < 0 || id >= v {
			panic(fmt.Sprintf("nn: Embedding id %d at [%d][%d] outside the vocabulary [0, %d)", id, i/t, i%t, v))
		}
	}
	h := weight.Shape()[1]
	return autograd.Reshape(autograd.Embedding(weight, flat), b, t, h) // [B*T, H] -> [B, T, H]
}

// Flatten returns the rows of a rectangular [B][T] table concatenated in
// row-major order, with B and T. It panics, naming op, if the table is empty
// or its rows differ in length.
func Flatten[E any](op string, rows [][]E) (flat []E, b, t int) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		panic(fmt.Sprintf("nn: %s of an empty batch (%d rows)", op, len(rows)))
	}
	b, t = len(rows), len(rows[0])
	flat = make([]E, 0, b*t)
	for i, r := range rows {
		if len(r) != t {
			panic(fmt.Sprintf("nn: %s of a ragged batch: row %d has %d entries, row 0 has %d", op, i, len(r), t))
		}
		flat = append(flat, r...)
	}
	return flat, b, t
}
