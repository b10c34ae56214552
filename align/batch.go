package align

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
)

// Batch holds the sequence log-probabilities a loss consumes.
//
// For a paired loss, row i of every field is the pair (x_i, y_w,i, y_l,i):
//
//	PolicyChosen[i]   = S(y_w,i), the summed completion log-prob under the policy   [B]
//	PolicyRejected[i] = S(y_l,i)                                                    [B]
//	RefChosen[i]      = R(y_w,i), the same under the reference model                [B]
//	RefRejected[i]    = R(y_l,i)                                                    [B]
//	ChosenLengths[i]  = n_w,i = |y_w,i| and RejectedLengths[i] = n_l,i (tokens)
//
// For an unpaired loss (kto, apo_zero_unpaired) the chosen fields hold the
// N_d desirable examples and the rejected fields the N_u undesirable ones
// (N_d and N_u may differ and either may be 0), and PolicyKL / RefKL hold the
// sequence log-probs [N] of the mismatched completions that estimate the KL
// baseline z_ref (kto only).
//
// Log-probs are natural logs (nats). With LD-DPO the S and R values are the
// length-desensitised sums (see SequenceBatch); the lengths stay the full
// token counts. RefChosen and RefRejected nil mean reference-free: R = 0, as
// TRL's reference_free=True. Reference and KL values never receive a gradient
// (the losses detach them).
type Batch struct {
	PolicyChosen, PolicyRejected   *autograd.Value // [B] (unpaired: [N_d], [N_u])
	RefChosen, RefRejected         *autograd.Value // same shapes, or nil
	ChosenLengths, RejectedLengths []int           // token counts, one per row
	PolicyKL, RefKL                *autograd.Value // [N], kto only; RefKL may be nil
}

// Validate checks the data of b: every value finite and every completion
// length at least 1. It returns an error naming the field and index of the
// first problem ("policy_chosen[3] is NaN", "chosen completion of pair 2 is
// empty"). It panics on programmer errors: a missing policy field, a value
// that is not 1-D, or a lengths slice or reference value whose size differs
// from its policy value.
func (b *Batch) Validate() error {
	if b.PolicyChosen == nil || b.PolicyRejected == nil {
		panic("align: Batch.Validate: PolicyChosen and PolicyRejected are required")
	}
	groups := []struct {
		name    string
		policy  *autograd.Value
		ref     *autograd.Value
		lengths []int
	}{
		{"chosen", b.PolicyChosen, b.RefChosen, b.ChosenLengths},
		{"rejected", b.PolicyRejected, b.RefRejected, b.RejectedLengths},
	}
	for _, g := range groups {
		n := rows("Batch.Validate policy_"+g.name, g.policy)
		if len(g.lengths) != n {
			panic(fmt.Sprintf("align: Batch.Validate: %d %s lengths for policy_%s of shape %v", len(g.lengths), g.name, g.name, g.policy.Shape()))
		}
		if g.ref != nil && rows("Batch.Validate ref_"+g.name, g.ref) != n {
			panic(fmt.Sprintf("align: Batch.Validate: ref_%s of shape %v with policy_%s of shape %v", g.name, g.ref.Shape(), g.name, g.policy.Shape()))
		}
		for i, l := range g.lengths {
			if l <= 0 {
				return fmt.Errorf("%s completion of pair %d is empty (%s_lengths[%d] = %d); every completion needs at least one token", g.name, i, g.name, i, l)
			}
		}
		if err := checkFinite("policy_"+g.name, g.policy); err != nil {
			return err
		}
		if err := checkFinite("ref_"+g.name, g.ref); err != nil {
			return err
		}
	}
	if b.PolicyKL != nil {
		n := rows("Batch.Validate policy_kl", b.PolicyKL)
		if b.RefKL != nil && rows("Batch.Validate ref_kl", b.RefKL) != n {
			panic(fmt.Sprintf("align: Batch.Validate: ref_kl of shape %v with policy_kl of shape %v", b.RefKL.Shape(), b.PolicyKL.Shape()))
		}
	}
	if err := checkFinite("policy_kl", b.PolicyKL); err != nil {
		return err
	}
	return checkFinite("ref_kl", b.RefKL)
}

// pairs returns the number of pairs B of a paired batch. It panics if the
// chosen and rejected values (or lengths) differ in size: a paired loss
// needs row i of every field to describe the same pair.
func (b *Batch) pairs(op string) int {
	nw := rows(op, b.PolicyChosen)
	nl := rows(op, b.PolicyRejected)
	if nw != nl || len(b.ChosenLengths) != nw || len(b.RejectedLengths) != nl {
		panic(fmt.Sprintf("align: %s: a paired loss needs equal sizes; policy_chosen %v, policy_rejected %v, %d chosen and %d rejected lengths",
			op, b.PolicyChosen.Shape(), b.PolicyRejected.Shape(), len(b.ChosenLengths), len(b.RejectedLengths)))
	}
	return nw
}

// rows returns the size of a 1-D value and panics, naming op, otherwise.
func rows(op string, v *autograd.Value) int {
	if v.Data.Rank() != 1 {
		panic(fmt.Sprintf("align: %s: want a 1-D value of sequence log-probs, got shape %v", op, v.Shape()))
	}
	return v.Data.Dim(0)
}

// checkFinite returns an error naming field and index of the first NaN or
// infinite entry of v (nil v is fine).
func checkFinite(field string, v *autograd.Value) error {
	if v == nil {
		return nil
	}
	for i, x := range v.Data.ToFloat64s() {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s[%d] is %v; log-probs must be finite", field, i, x)
		}
	}
	return nil
}
