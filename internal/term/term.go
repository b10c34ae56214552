// Package term tells whether output goes to a terminal, so progress
// displays can redraw one line there and print plain lines elsewhere.
package term

import (
	"io"
	"os"
)

// IsTerminal reports whether w is an *os.File that is a character device
// (a terminal; /dev/null also counts, which only means a bar nobody sees).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
