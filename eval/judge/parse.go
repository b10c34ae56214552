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
// and angle brackets), where the first word of X, without trailing
// punctuation and an optional leading "Summary"/"Response", must be A, B or
// Tie. Without such a line, a last non-empty line that is only "A" or "B"
// (same clean-up) is accepted. Anything else returns an error wrapping
// ErrUnparseable: an unreadable reply is never a silent tie.
func ParseVerdict(reply string) (Verdict, error) {
	clean := markup.Replace(reply)
	if m := preferredLine.FindAllStringSubmatch(clean, -1); m != nil {
		if v, ok := verdictWord(m[len(m)-1][1]); ok {
			return v, nil
		}
		return 0, fmt.Errorf("%w: %q", ErrUnparseable, snippet(reply))
	}
	lines := strings.Split(strings.TrimSpace(clean), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); len(strings.Fields(last)) <= 2 {
		if v, ok := verdictWord(last); ok && v != Tie {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnparseable, snippet(reply))
}

// verdictWord reads A, B or Tie from the first word of s, skipping a leading
// "summary"/"response"/"option" and surrounding punctuation.
func verdictWord(s string) (Verdict, bool) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) > 1 && (words[0] == "summary" || words[0] == "response" || words[0] == "option") {
		words = words[1:]
	}
	if len(words) == 0 {
		return 0, false
	}
	switch strings.Trim(words[0], ".,;:!?()[]") {
	case "a":
		return A, true
	case "b":
		return B, true
	case "tie":
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
