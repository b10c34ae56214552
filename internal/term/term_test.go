package term

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		name string
		w    any
		want bool
	}{{"buffer", &bytes.Buffer{}, false}, {"regular file", f, false}} {
		if got := IsTerminal(c.w.(interface{ Write([]byte) (int, error) })); got != c.want {
			t.Errorf("%s: IsTerminal = %v, want %v", c.name, got, c.want)
		}
	}
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer null.Close()
		if !IsTerminal(null) {
			t.Errorf("%s is a character device; IsTerminal = false", os.DevNull)
		}
	}
}
