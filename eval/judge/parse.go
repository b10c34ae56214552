package judge

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrUnparseable is wrapped by the error ParseVerdict returns when a judge's
// reply states no verdict.
var ErrUnparseable = errors.New("no verdict in judge reply")

var (
	// markup is dropped before parsing: markdown emphasis, code and heading
	// marks, quotes and angle brackets ("**Preferred:** <"B">").
	markup = strings.NewReplacer("*", "", "_", "", "`", "", "\"", "", "'", "", "“", "", "”", "", "<", "", ">", "", "#", "")
	// preferredLine finds "Preferred: X" anywhere on a line; the last match
	// in the reply wins.
	preferredLine = regexp.MustCompile(`(?im)\bpreferred\s*(?:summary|response|answer|choice)?\s*[:：]\s*(.*)$`)
)

// ParseVerdict reads the verdict from a judge's reply. It looks for the last
// "Preferred: X" (case-insensitive, after removing markdown emphasis, quotes
// and angle brackets). X must state one verdict: its first clause (up to
// the first . ! ? , ; or parenthesis) is exactly "A" or "B" (optionally
// after "Summary", "Response", "Option" or "Answer") or "Tie" ("a tie",
// "it is a tie"), and X names no other option and no hedge (or, unclear,
// maybe, either, neither, both, ...; "neither" and "both" are allowed after
// a tie). Without such a line, a last non-empty line that is only "A" or
// "B" (same clean-up) is accepted. Anything else, such as "Preferred: A or
// B, unclear" or "Preferred: A, though B is close", returns an error wrapping
// ErrUnparseable: an unclear reply is never read as a verdict, nor as a
// silent tie.
func ParseVerdict(reply string) (Verdict, error) {
	clean := markup.Replace(reply)
	if m := preferredLine.FindAllStringSubmatch(clean, -1); m != nil {
		if v, ok := statedVerdict(m[len(m)-1][1]); ok {
			return v, nil
		}
		return 0, fmt.Errorf("%w: %q", ErrUnparseable, snippet(reply))
	}
	lines := strings.Split(strings.TrimSpace(clean), "\n")
	if v, ok := verdictClause(words(lines[len(lines)-1])); ok && v != Tie {
		return v, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnparseable, snippet(reply))
}

// hedges are words that make a stated verdict unclear; tieWords may follow
// a tie without making it so.
var (
	hedges = map[string]bool{"or": true, "unclear": true, "uncertain": true, "unsure": true, "maybe": true,
		"perhaps": true, "possibly": true, "probably": true, "either": true, "neither": true, "both": true,
		"undecided": true, "ambiguous": true, "cannot": true, "cant": true, "not": true, "tie": true, "depends": true}
	tieWords = map[string]bool{"neither": true, "both": true, "tie": true}
)

// statedVerdict reads the text after "Preferred:" (see ParseVerdict).
func statedVerdict(s string) (Verdict, bool) {
	first := s
	if i := strings.IndexAny(s, ".!?,;()[]"); i >= 0 {
		first = s[:i]
		if i == 0 && (s[0] == '(' || s[0] == '[') { // "(A)": the clause is inside
			first = strings.TrimLeft(s, "([")
			if j := strings.IndexAny(first, ")]"); j >= 0 {
				first = first[:j]
			}
		}
	}
	v, ok := verdictClause(words(first))
	if !ok {
		return 0, false
	}
	other := map[Verdict]string{A: "B", B: "A"}[v]
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, ".,;:!?()[]")
		lw := strings.ToLower(w)
		if w == other || (hedges[lw] && !(v == Tie && tieWords[lw])) {
			return 0, false
		}
	}
	return v, true
}

// words splits s into lower-case words without surrounding punctuation.
func words(s string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if w = strings.Trim(w, ".,;:!?()[]"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// verdictClause reads a clause that is exactly a verdict: "a", "b",
// "summary a" (or response, option, answer), "tie", "a tie", "its a tie",
// "it is a tie".
func verdictClause(w []string) (Verdict, bool) {
	if len(w) == 2 && (w[0] == "summary" || w[0] == "response" || w[0] == "option" || w[0] == "answer") {
		w = w[1:]
	}
	switch strings.Join(w, " ") {
	case "a":
		return A, true
	case "b":
		return B, true
	case "tie", "a tie", "its a tie", "it is a tie":
		return Tie, true
	}
	return 0, false
}

// snippet shortens a reply for an error message.
func snippet(s string) string {
	const n = 200
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
