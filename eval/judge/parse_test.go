package judge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseVerdict covers the reply shapes seen from chat models asked with
// the TL;DR template, and replies that must be rejected rather than read as
// a verdict or a tie.
func TestParseVerdict(t *testing.T) {
	ok := []struct {
		reply string
		want  Verdict
	}{
		{"Comparison: A is concise.\nPreferred: A", A},
		{"Comparison: x\nPreferred: \"B\"", B},
		{"comparison: x\npreferred: b", B},
		{"Comparison: x\nPreferred: A.", A},
		{"**Comparison:** x\n**Preferred:** **B**", B},
		{"Comparison: x\nPreferred: <\"A\">", A},
		{"Comparison: x\nPreferred: Summary B", B},
		{"Comparison: x\nPreferred: (A)", A},
		{"Comparison: Summary A is wordy, I prefer B. Preferred: B", B},
		{"Comparison: Summary A covers less.\nPreferred:B\n", B},
		{"Comparison: x\nPreferred summary: A", A},
		{"Comparison: x\n\nB", B},
		{"Comparison: x\n**A**", A},
		{"Preferred: A\nWait, on reflection:\nPreferred: B", B}, // the last statement wins
		{"Comparison: equal\nPreferred: Tie", Tie},
		{"Comparison: x\nPreferred: `A`!", A},
		{"Comparison: x\nPreferred: a tie", Tie},
		{"Comparison: x\nPreferred: It's a tie.", Tie},
		{"Comparison: x\nPreferred: Tie (both are equally good)", Tie},
		{"Comparison: x\nPreferred: B, as it is more concise.", B},
		{"Comparison: x\nPreferred: Response A", A},
	}
	for _, c := range ok {
		got, err := ParseVerdict(c.reply)
		if assert.NoError(t, err, c.reply) {
			assert.Equal(t, c.want, got, c.reply)
		}
	}
	bad := []string{
		"",
		"I like both summaries equally.",
		"Comparison: x\nPreferred: C",
		"Comparison: x\nPreferred: ",
		"Comparison: x\nPreferred: Ambiguous",
		"Comparison: Summary A is better than Summary B in every way",
		"Comparison: x\nTie", // a bare Tie line is not the template's format
		"Comparison: x\nPreferred: A or B, unclear",
		"Comparison: x\nPreferred: A or B",
		"Comparison: x\nPreferred: A, unclear",
		"Comparison: x\nPreferred: A/B",
		"Comparison: x\nPreferred: A, though B is close",
		"Comparison: x\nPreferred: maybe A",
		"Comparison: x\nPreferred: A (maybe)",
		"Comparison: x\nPreferred: Neither",
		"Comparison: x\nPreferred: Both",
		"Comparison: x\nPreferred: A and B",
		"Comparison: x\nPreferred: A tie or B",
		"Comparison: x\nPreferred: Summary A or Summary B",
		"Comparison: x\nPreferred: A. Actually B.",
		"Comparison: x\nPreferred: I cannot decide",
		"Comparison: x\nA or B",
	}
	for _, reply := range bad {
		v, err := ParseVerdict(reply)
		assert.ErrorIs(t, err, ErrUnparseable, "ParseVerdict(%q) = %v", reply, v)
	}
}
