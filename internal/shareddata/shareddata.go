// Package shareddata locates the read-only reference data that lives beside
// the repository in ../shared (tokenizer, tiny checkpoints with goldens, DAA
// loss vectors, the PyTorch baseline). Tests call Path, which skips the test
// cleanly when the folder is not there, with a message that says how to
// supply it (Hint).
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder: $DAA_SHARED when set, else ../shared next to
// the module root (the directory holding go.mod, found by walking up from the
// working directory). ok is false when no such folder exists.
func Dir() (dir string, ok bool) {
	if d := os.Getenv("DAA_SHARED"); d != "" {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, true
		}
		return d, false
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			fi, err := os.Stat(s)
			return s, err == nil && fi.IsDir()
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// Hint says how to supply the reference data; every skip message of Path
// ends with it (./test.sh looks for "DAA_SHARED" in skip messages to count
// the tests that lacked the data).
const Hint = "put the shared folder at ../shared next to the checkout or set DAA_SHARED=/path/to/shared"

// Path joins rel onto the shared folder and returns it, or skips tb when the
// folder or the file is absent, naming what is missing and Hint.
func Path(tb testing.TB, rel ...string) string {
	tb.Helper()
	dir, ok := Dir()
	if !ok {
		if dir == "" {
			dir = "../shared"
		}
		tb.Skipf("reference data folder %s not found; %s", dir, Hint)
	}
	p := filepath.Join(append([]string{dir}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("reference file %s not found; %s", p, Hint)
	}
	return p
}
