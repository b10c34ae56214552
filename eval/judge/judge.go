package judge

import (
	"context"
	"fmt"
)

// Verdict is a judge's decision between the response presented first (A)
// and the one presented second (B).
type Verdict int

// The verdicts. The zero Verdict is invalid, so an unset verdict is never
// mistaken for a decision.
const (
	A   Verdict = iota + 1 // the first response presented is better
	B                      // the second response presented is better
	Tie                    // neither is better
)

// String returns "A", "B", "Tie" or "Verdict(n)" for an invalid value.
func (v Verdict) String() string {
	switch v {
	case A:
		return "A"
	case B:
		return "B"
	case Tie:
		return "Tie"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// parseVerdictName is the inverse of String for the three valid verdicts.
func parseVerdictName(s string) (Verdict, bool) {
	switch s {
	case "A":
		return A, true
	case "B":
		return B, true
	case "Tie":
		return Tie, true
	}
	return 0, false
}

// Judge compares two responses to a prompt.
type Judge interface {
	// ID names the judge and every setting that can change its verdicts
	// (model, template, temperature). Verdicts are cached under it, so two
	// judges with the same ID must decide alike.
	ID() string
	// Judge returns A if response a (presented first) is better, B if b is,
	// Tie if neither. An error means no verdict: it is never a silent tie.
	Judge(ctx context.Context, prompt, a, b string) (Verdict, error)
}
