package judge

import (
	"errors"
	"testing"
)

// TestParseVerdict covers the reply shapes seen from chat models asked with
// the TL;DR template, and replies that must be rejected rather than read as
// a tie.
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
	}
	for _, c := range ok {
		got, err := ParseVerdict(c.reply)
		if err != nil || got != c.want {
			t.Errorf("ParseVerdict(%q) = %v, %v; want %v", c.reply, got, err, c.want)
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
	}
	for _, reply := range bad {
		if v, err := ParseVerdict(reply); !errors.Is(err, ErrUnparseable) {
			t.Errorf("ParseVerdict(%q) = %v, %v; want ErrUnparseable", reply, v, err)
		}
	}
}
